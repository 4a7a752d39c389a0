"""Prior opinion as a selection stratum: the volunteers' answer, the weighted poll's targets."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from deliberation.core.models import AuditLogEntry
from panels import selectors as panel_selectors
from panels.actions import do_derive_quotas, do_replace_margins, do_update_plan
from panels.margins import Margin
from panels.models import PollTarget, PopulationMargin, Volunteer
from surveys.actions import (
    do_add_poll_volunteers,
    do_choose_opinion_stratum,
    do_drop_opinion_stratum,
    do_volunteer,
)
from surveys.models import OpinionStratum, Question, Response
from tests.surveys.factories import WaveFactory, add_strata, complete_response, question

AGREE = [(1, "찬성", False), (2, "반대", False), (3, "모름", False)]


@pytest.fixture
def poll(db):
    wave = WaveFactory()
    add_strata(wave.deliberation)
    q = question(wave.questionnaire, "Q1", Question.Kind.SINGLE, 1, options=AGREE, required=False)
    # Eight respondents: six agree, two disagree, one gives no answer.
    for n, answer in enumerate([1, 1, 1, 1, 1, 1, 2, 2, None]):
        complete_response(
            wave,
            f"R{n}",
            {} if answer is None else {"Q1": float(answer)},
            region="도심권",
            gender="여성",
            age_band="30-39",
        )
    return wave, q


@pytest.fixture
def trusted_organizer(organizer):
    organizer.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
    return type(organizer).objects.get(pk=organizer.pk)


def volunteer(wave, respondent_id: str) -> None:
    do_volunteer(
        Response.objects.get(wave=wave, respondent_id=respondent_id),
        name="",
        phone="",
        email=f"{respondent_id}@example.org",
    )


def shares(deliberation) -> dict[str, float]:
    return panel_selectors.poll_target_shares(deliberation)["opinion"]


def test_targets_are_the_poll_shares_with_no_answer_as_a_category(poll, organizer):
    wave, q = poll
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=organizer)
    got = shares(wave.deliberation)
    assert got == pytest.approx({"찬성": 6 / 9, "반대": 2 / 9, "무응답": 1 / 9})
    target = PollTarget.objects.get(deliberation=wave.deliberation, value="찬성")
    assert target.respondents == 9
    # ±1.96 sqrt(p(1-p)/n) with equal weights (n_eff = n).
    assert float(target.margin_of_error) == pytest.approx(
        1.96 * ((6 / 9) * (3 / 9) / 9) ** 0.5, 1e-3
    )


def test_weights_that_change_the_shares_change_the_targets(poll, organizer):
    wave, q = poll
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=organizer)
    unweighted = shares(wave.deliberation)
    # Those who disagree are under-represented in the poll: raking gives them weight 3.
    for response in Response.objects.filter(wave=wave):
        disagrees = response.answers.filter(value_number=2.0).exists()
        response.weight = 3.0 if disagrees else 1.0
        response.save(update_fields=["weight"])
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=organizer)
    weighted = shares(wave.deliberation)
    assert weighted["반대"] == pytest.approx(6 / 13)
    assert weighted["반대"] > unweighted["반대"]


def test_poll_volunteers_carry_their_answer_into_the_pool(poll, trusted_organizer):
    wave, q = poll
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=trusted_organizer)
    volunteer(wave, "R0")
    volunteer(wave, "R6")
    volunteer(wave, "R8")
    allowed = panel_selectors.allowed_values(wave.deliberation)
    assert allowed["opinion"] == {"찬성", "반대", "무응답"}
    assert do_add_poll_volunteers(wave.deliberation, allowed, actor=trusted_organizer).ok
    pool = {
        v.external_id: v.features["opinion"]
        for v in Volunteer.objects.filter(deliberation=wave.deliberation)
    }
    assert pool == {"poll-R0": "찬성", "poll-R6": "반대", "poll-R8": "무응답"}


def test_volunteers_already_in_the_pool_get_their_answer_when_the_stratum_is_chosen(
    poll, trusted_organizer
):
    wave, q = poll
    volunteer(wave, "R6")
    allowed = panel_selectors.allowed_values(wave.deliberation)
    assert do_add_poll_volunteers(wave.deliberation, allowed, actor=trusted_organizer).ok
    assert "opinion" not in Volunteer.objects.get().features
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=trusted_organizer)
    assert Volunteer.objects.get().features["opinion"] == "반대"


def test_derived_quotas_include_the_opinion_targets(poll, organizer):
    wave, q = poll
    deliberation = wave.deliberation
    do_update_plan(deliberation, panel_size=90, tolerance=0.05, lottery_size=100, actor=organizer)
    do_choose_opinion_stratum(deliberation, wave, q, actor=organizer)
    quotas = {
        (x.feature, x.value): (x.min, x.max)
        for x in do_derive_quotas(deliberation, actor=organizer)
    }
    # 6/9 of 90 = 60 ± 4.5
    assert quotas[("opinion", "찬성")] == (55, 65)
    assert ("region", "도심권") in quotas


def test_replacing_the_population_margins_keeps_the_opinion_targets(poll, organizer):
    wave, q = poll
    deliberation = wave.deliberation
    do_choose_opinion_stratum(deliberation, wave, q, actor=organizer)
    margins = [
        Margin(f, v, float(s))
        for f, v, s in PopulationMargin.objects.filter(deliberation=deliberation).values_list(
            "feature", "value", "share"
        )
    ]
    do_replace_margins(deliberation, margins, actor=organizer)
    assert set(shares(deliberation)) == {"찬성", "반대", "무응답"}


def test_dropping_the_stratum_removes_its_targets_and_is_logged(poll, organizer):
    wave, q = poll
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=organizer)
    do_drop_opinion_stratum(wave.deliberation, actor=organizer)
    assert not PollTarget.objects.exists()
    assert not OpinionStratum.objects.exists()
    events = list(AuditLogEntry.objects.values_list("event_type", flat=True))
    assert events.count("poll_targets.replaced") == 2


def test_a_question_of_another_deliberation_is_refused(poll, organizer):
    wave, q = poll
    other = WaveFactory()
    with pytest.raises(ValueError):
        do_choose_opinion_stratum(other.deliberation, wave, q, actor=organizer)
    assert not PollTarget.objects.exists()


def test_the_page_chooses_the_question_and_shows_both_shares(client, poll, organizer):
    wave, q = poll
    client.force_login(organizer)
    url = reverse("surveys:opinion_stratum", args=[wave.deliberation.slug])
    page = client.get(url).content.decode()
    assert f'value="{wave.pk}:{q.pk}" selected' in page
    response = client.post(url, {"action": "choose", "question": f"{wave.pk}:{q.pk}"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "0.667" in page and "0.222" in page and "0.111" in page
    quotas = client.get(reverse("panels:quotas", args=[wave.deliberation.slug])).content.decode()
    assert "0.667" in quotas


def test_the_page_refuses_an_unknown_question_and_writes_nothing(client, poll, organizer):
    wave, _q = poll
    client.force_login(organizer)
    url = reverse("surveys:opinion_stratum", args=[wave.deliberation.slug])
    response = client.post(url, {"action": "choose", "question": "999:999"})
    assert response.status_code == 400
    assert not PollTarget.objects.exists()


def test_analysts_cannot_choose_the_stratum(client, poll, analyst):
    wave, q = poll
    client.force_login(analyst)
    url = reverse("surveys:opinion_stratum", args=[wave.deliberation.slug])
    response = client.post(url, {"action": "choose", "question": f"{wave.pk}:{q.pk}"})
    assert response.status_code == 403
    assert not PollTarget.objects.exists()


def test_the_representativeness_report_compares_the_panel_with_the_weighted_poll(poll, organizer):
    wave, q = poll
    do_choose_opinion_stratum(wave.deliberation, wave, q, actor=organizer)
    comparisons = {c.feature: c for c in panel_selectors.representativeness(wave.deliberation)}
    assert "opinion" in comparisons
    rows = {row.value: row for row in comparisons["opinion"].rows}
    assert rows["찬성"].population_share == pytest.approx(6 / 9)
