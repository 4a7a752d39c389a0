"""Over-recruitment: the draw size and the expected finishers per stratum."""

from __future__ import annotations

import pytest

from panels.recruitment import RecruitmentError, plan_recruitment

SHARES = {
    "gender": {"남성": 0.5, "여성": 0.5},
    "age_band": {"18-29": 0.2, "30-59": 0.5, "60+": 0.3},
}


def test_one_rate_divides_the_finishers_by_it():
    plan = plan_recruitment(490, SHARES, 0.9)
    assert plan.draw_size == 545  # ceil(490 / 0.9)
    assert plan.drawn_shares == {
        "gender": {"남성": 0.5, "여성": 0.5},
        "age_band": {"18-29": 0.2, "30-59": 0.5, "60+": 0.3},
    }
    assert plan.expected_total == pytest.approx(545 * 0.9)
    assert plan.expected_total_sd == pytest.approx((545 * 0.9 * 0.1) ** 0.5)


def test_a_group_that_attends_less_is_drawn_more_so_its_finishers_keep_their_share():
    plan = plan_recruitment(400, SHARES, 0.8, rate_feature="age_band", rates={"18-29": 0.5})
    # 80 young finishers need 160 drawn; 200 / 0.8 = 250 and 120 / 0.8 = 150 of the others.
    assert plan.draw_size == 560
    young = next(e for e in plan.expected if e.value == "18-29")
    assert young.drawn == pytest.approx(160)
    assert young.expected == pytest.approx(80)
    assert young.sd == pytest.approx((160 * 0.25) ** 0.5)
    assert plan.drawn_shares["age_band"]["18-29"] == pytest.approx(160 / 560)
    # Every stratum of the rate feature is expected to finish in its population share.
    for e in plan.expected:
        if e.feature == "age_band":
            assert e.expected == pytest.approx(400 * SHARES["age_band"][e.value])
    assert plan.expected_total == pytest.approx(400)


def test_the_range_of_expected_finishers_is_about_two_standard_deviations():
    plan = plan_recruitment(100, SHARES, 0.75)
    women = next(e for e in plan.expected if e.value == "여성")
    assert women.low == pytest.approx(women.expected - 1.96 * women.sd)
    assert women.high == pytest.approx(women.expected + 1.96 * women.sd)


@pytest.mark.parametrize("rate", [0, -0.1, 1.2])
def test_a_rate_outside_zero_to_one_is_refused(rate):
    with pytest.raises(RecruitmentError):
        plan_recruitment(100, SHARES, rate)
    with pytest.raises(RecruitmentError):
        plan_recruitment(100, SHARES, 0.9, rate_feature="age_band", rates={"60+": rate})


def test_no_finishers_is_refused():
    with pytest.raises(RecruitmentError):
        plan_recruitment(0, SHARES, 0.9)


@pytest.fixture
def seoul(db, organizer):
    from decimal import Decimal

    from panels.models import PopulationMargin
    from tests.factories import DeliberationFactory, join

    deliberation = DeliberationFactory()
    join(organizer, deliberation, "organizer")
    for feature, values in SHARES.items():
        for value, share in values.items():
            PopulationMargin.objects.create(
                deliberation=deliberation, feature=feature, value=value, share=Decimal(str(share))
            )
    return deliberation


def post_plan(client, deliberation, **fields):
    from django.urls import reverse

    data = {
        "action": "plan",
        "plan-panel_size": "300",
        "plan-tolerance": "0.05",
        "plan-lottery_size": "100",
        "plan-finishers": "",
        "plan-attendance_rate": "1",
        "plan-attendance_feature": "",
    }
    data.update({f"plan-{k}": v for k, v in fields.items()})
    return client.post(reverse("panels:quotas", args=[deliberation.slug]), data)


def test_the_plan_computes_the_panel_size_from_the_finishers(client, seoul, organizer):
    from panels.models import PanelPlan

    client.force_login(organizer)
    assert post_plan(client, seoul, finishers="490", attendance_rate="0.9").status_code == 302
    assert PanelPlan.objects.get(deliberation=seoul).panel_size == 545


def test_rates_by_age_scale_the_young_quota_up(client, seoul, organizer):
    from panels.actions import do_derive_quotas
    from panels.models import PanelPlan

    client.force_login(organizer)
    post_plan(client, seoul, finishers="400", attendance_rate="0.8", attendance_feature="age_band")
    # The page now asks one rate per age band; the young attend half the time.
    response = post_plan(
        client,
        seoul,
        finishers="400",
        attendance_rate="0.8",
        attendance_feature="age_band",
        **{"rate-0": "0.5"},
    )
    assert response.status_code == 302
    plan = PanelPlan.objects.get(deliberation=seoul)
    assert plan.attendance_rates == {"18-29": 0.5}
    assert plan.panel_size == 560
    quotas = {
        (q.feature, q.value): (q.min, q.max) for q in do_derive_quotas(seoul, actor=organizer)
    }
    # 160 of 560 drawn are young (28.6% ± 5%), not 20% of the population.
    assert quotas[("age_band", "18-29")] == (132, 188)
    page = client.get(f"/panels/{seoul.slug}/quotas/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Draw 560 so that 400 are expected to finish" in page


def test_a_rate_above_one_is_refused_and_the_plan_is_unchanged(client, seoul, organizer):
    from panels.models import PanelPlan

    client.force_login(organizer)
    response = post_plan(client, seoul, finishers="400", attendance_rate="1.5")
    assert response.status_code == 400
    assert not PanelPlan.objects.filter(deliberation=seoul, finishers=400).exists()


def test_without_finishers_the_panel_size_is_drawn_as_typed(client, seoul, organizer):
    from panels.models import PanelPlan

    client.force_login(organizer)
    post_plan(client, seoul, panel_size="120")
    assert PanelPlan.objects.get(deliberation=seoul).panel_size == 120
