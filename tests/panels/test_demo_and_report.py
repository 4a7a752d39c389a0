import pytest
from django.urls import reverse

from panels import actions
from tests.panels.flow import computed_run
from tests.panels.pool_helpers import set_margins


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
