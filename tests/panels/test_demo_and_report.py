import pytest
from django.urls import reverse

from panels import actions
from panels.representativeness import compare
from tests.panels.flow import computed_run
from tests.panels.pool_helpers import set_margins


def test_chi_square_compares_panel_counts_with_population_shares():
    (comp,) = compare(
        {"g": {"a": 0.5, "b": 0.5}}, {"g": {"a": 70, "b": 30}}, {"g": {"a": 5, "b": 5}}
    )
    assert comp.chi2 == pytest.approx(0.0)
    assert comp.p_value == pytest.approx(1.0)
    (skewed,) = compare({"g": {"a": 0.5, "b": 0.5}}, {}, {"g": {"a": 90, "b": 10}})
    assert skewed.p_value < 0.001


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
