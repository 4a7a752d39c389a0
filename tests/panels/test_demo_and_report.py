import pytest
from django.urls import reverse

from panels import actions
from panels.runner import execute_run
from tests.factories import DeliberationFactory
from tests.panels.flow import computed_run
from tests.panels.pool_helpers import add_pool, set_margins, set_quotas


@pytest.mark.django_db
def test_report_shows_population_pool_and_panel_to_analysts_without_contacts(
    client, organizer, analyst
):
    run = computed_run(organizer)
    set_margins(run.deliberation, {"region": {"도심권": 0.5, "동북권": 0.5}})
    actions.do_draw(run, "4", actor=organizer)
    client.force_login(analyst)
    url = reverse("panels:report", kwargs={"slug": run.deliberation.slug})
    response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 200
    region = next(c for c in response.context["comparisons"] if c.feature == "region")
    assert sum(r.panel_count for r in region.rows) == 10
    assert sum(r.pool_count for r in region.rows) == 40
    assert region.chi2 is not None
    assert "@example.org" not in response.content.decode()
    chart = client.get(reverse("panels:report_chart", kwargs={"slug": run.deliberation.slug}))
    assert chart["Content-Type"] == "image/svg+xml"
    assert b"<svg" in chart.content


@pytest.mark.django_db
def test_pages_show_a_panel_drawn_with_equal_chances_for_everyone(client, organizer, analyst):
    """12 drawn from 30 alike volunteers: every chance is 0.4, up to rounding."""
    deliberation = DeliberationFactory()
    add_pool(deliberation, {("도심권", "여성"): 30})
    set_quotas(deliberation, {("region", "도심권"): (12, 12)}, 12)
    run = execute_run(actions.do_start_run(deliberation, actor=organizer).pk)
    actions.do_draw(run, "2021", actor=organizer)
    chances = set(deliberation.selection_audits.get().probabilities.values())
    assert max(chances) - min(chances) < 1e-12
    client.force_login(analyst)
    slug = {"slug": deliberation.slug}
    for name in ("panels:audit", "panels:report", "panels:report_chart"):
        assert client.get(reverse(name, kwargs=slug)).status_code == 200, name
    page = client.get(reverse("panels:report", kwargs=slug))
    assert page.context["probabilities"].bins == ((min(chances), max(chances), 30),)
