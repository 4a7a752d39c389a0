"""The active panel: one rule for every page, room, survey and report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deliberation.report.selectors import build_report_data
from panels import selectors
from panels.models import Panelist, PanelPlan, PopulationMargin
from tests.factories import DeliberationFactory, PanelistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    """Ten seats in two regions, and one declined and one dropped seat in 도심권."""
    deliberation = DeliberationFactory()
    for value, share in (("도심권", "0.5"), ("동북권", "0.5")):
        PopulationMargin.objects.create(
            deliberation=deliberation, feature="region", value=value, share=share
        )
    for k in range(10):
        status = Panelist.Status.CONFIRMED if k % 2 else Panelist.Status.INVITED
        PanelistFactory(
            deliberation=deliberation, region="동북권" if k < 6 else "도심권", status=status
        )
    PanelistFactory(deliberation=deliberation, region="도심권", status=Panelist.Status.DECLINED)
    PanelistFactory(deliberation=deliberation, region="도심권", status=Panelist.Status.DROPPED)
    return deliberation


def test_the_active_panel_leaves_out_declined_and_dropped_seats(panel):
    active = Panelist.objects.active().filter(deliberation=panel)
    assert active.count() == 10
    assert not active.filter(status__in=["declined", "dropped"]).exists()
    assert all(seat.is_active for seat in active)


def test_the_panels_page_and_the_policy_report_count_the_same_panel(client, panel, analyst):
    client.force_login(analyst)
    page = client.get(reverse("panels:report", kwargs={"slug": panel.slug}))
    (region,) = [c for c in page.context["comparisons"] if c.feature == "region"]
    on_page = {row.value: row.panel_count for row in region.rows}
    data = build_report_data(panel)
    (fit,) = data.representativeness
    in_report = {c.category: c.sample_count for c in fit.categories}
    assert on_page == in_report == {"도심권": 4, "동북권": 6}
    assert page.context["panel_size"] == data.process.panel_size == fit.n == 10
    assert region.chi2 == fit.statistic


def test_counts_per_stratum_come_from_the_seat_and_other_features_from_the_volunteer(panel):
    assert selectors.panel_counts(panel, "region") == {"도심권": 4, "동북권": 6}
    assert selectors.panel_counts(panel, "education") == {}


def test_the_quotas_page_does_not_write_a_panel_plan(client, organizer):
    deliberation = DeliberationFactory()
    client.force_login(organizer)
    page = client.get(reverse("panels:quotas", kwargs={"slug": deliberation.slug}))
    assert page.status_code == 200
    assert page.context["plan"].panel_size == 300
    assert not PanelPlan.objects.exists()
