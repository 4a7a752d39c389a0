"""Open-link limits, data-quality flags and the organizer's exclusion of responses."""

from __future__ import annotations

import math

import pytest
from django.test import Client
from django.urls import reverse

from surveys import actions, quality
from surveys.dashboard import fieldwork_summary, flagged_responses
from surveys.datasets import wave_dataset
from surveys.item_data import item_data
from surveys.models import GridItem, Invitation, Response
from surveys.questionnaires import questions_of, specs_of
from tests.factories import UserFactory
from tests.surveys.conftest import EN
from tests.surveys.factories import FULL_ANSWERS, VALID_ANSWERS, complete_response, question

SCREENER = {
    "consent": "on",
    "sensitive_consent": "on",
    "district": "종로구",
    "gender": "남성",
    "birth_year": "1995",
}


def open_url(wave) -> str:
    return reverse("surveys:open_link", kwargs={"token": wave.open_link_token})


@pytest.fixture
def open_wave(wave):
    wave.open_link_token = "open-abc"
    wave.save()
    return wave


def answer_through_open_link(client: Client, wave) -> int:
    """Follow the open link to the end; the status of the open link's own reply."""
    reply = client.get(open_url(wave), **EN)
    if reply.status_code != 302:
        return reply.status_code
    take = reply["Location"]
    client.post(take, SCREENER, **EN)
    client.post(take, {**VALID_ANSWERS, "action": "submit"}, **EN)
    return 302


# The plain module: arrays in, flags out.


def test_a_speeder_is_faster_than_a_third_of_the_median():
    durations = [300.0] * 10 + [90.0, 110.0, None]
    assert quality.speeders(durations) == [False] * 10 + [True, False, False]


def test_a_waves_own_minimum_replaces_the_median_rule():
    assert quality.speeders([50, 70, None], minimum_seconds=60) == [True, False, False]


def test_too_few_timed_completes_give_no_median_rule():
    assert quality.speeders([1, 300, 300]) == [False, False, False]


def test_completes_sharing_an_address_are_flagged_from_the_threshold():
    hashes = ["a", "a", "b", "a", "", ""]
    assert quality.shared_addresses(hashes, 3) == [True, True, False, True, False, False]


def test_straight_lining_needs_one_answer_on_every_item_of_a_grid_of_four():
    assert quality.straightlined({"G": [3, 3, 3, 3]})
    assert not quality.straightlined({"G": [3, 3, 3]})  # three items: too short to tell
    assert not quality.straightlined({"G": [3, 3, 3, 2]})
    assert not quality.straightlined({"G": [3, 3, 3, None]})
    assert not quality.straightlined({"G": [3, 3, 3, math.nan]})


def test_flags_combine_in_a_fixed_order():
    result = quality.flags(
        durations=[10, 300, 300],
        address_hashes=["x", "x", ""],
        grids=[{"G": [1, 1, 1, 1]}, {"G": [1, 2, 1, 1]}, {}],
        minimum_seconds=60,
        address_threshold=2,
    )
    assert result == [
        [quality.ADDRESS, quality.SPEEDER, quality.STRAIGHTLINING],
        [quality.ADDRESS],
        [],
    ]


def test_the_address_hash_is_keyed_and_scoped_to_the_wave():
    first = quality.address_hash("203.0.113.9", "secret", "wave:1")
    assert first == quality.address_hash("203.0.113.9", "secret", "wave:1")
    assert first != quality.address_hash("203.0.113.9", "secret", "wave:2")
    assert first != quality.address_hash("203.0.113.9", "other", "wave:1")
    assert "203.0.113.9" not in first


# Open-link limits.


def test_one_address_cannot_start_more_open_link_responses_than_the_limit(open_wave):
    open_wave.open_link_per_address = 3
    open_wave.open_link_per_browser = 100
    open_wave.save()
    statuses = [answer_through_open_link(Client(), open_wave) for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert Invitation.objects.filter(wave=open_wave, source="open").count() == 3


def test_the_refusal_page_explains_the_limit_in_both_languages(open_wave, settings):
    settings.OPEN_LINK_PER_ADDRESS = 1
    answer_through_open_link(Client(), open_wave)
    english = Client().get(open_url(open_wave), **EN)
    korean = Client().get(open_url(open_wave))
    assert english.status_code == 429 and "from your network" in english.content.decode()
    assert korean.status_code == 429 and 'lang="ko"' in korean.content.decode()


def test_another_address_is_not_held_back_by_a_busy_one(open_wave, settings):
    settings.OPEN_LINK_PER_ADDRESS = 1
    assert answer_through_open_link(Client(REMOTE_ADDR="203.0.113.1"), open_wave) == 302
    assert answer_through_open_link(Client(REMOTE_ADDR="203.0.113.1"), open_wave) == 429
    assert answer_through_open_link(Client(REMOTE_ADDR="198.51.100.2"), open_wave) == 302


def test_behind_a_proxy_the_limit_counts_the_forwarded_client(open_wave, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.OPEN_LINK_PER_ADDRESS = 1

    def via_proxy(address: str) -> Client:
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)

    assert answer_through_open_link(via_proxy("203.0.113.1"), open_wave) == 302
    assert answer_through_open_link(via_proxy("198.51.100.2"), open_wave) == 302
    assert answer_through_open_link(via_proxy("203.0.113.1"), open_wave) == 429


def test_a_browser_that_completed_once_is_refused_another_response(open_wave):
    browser = Client()
    assert answer_through_open_link(browser, open_wave) == 302
    browser.session.flush()  # a fresh session keeps the browser's cookie
    browser.cookies.pop("sessionid", None)
    reply = browser.get(open_url(open_wave), **EN)
    assert reply.status_code == 429
    assert "from this browser" in reply.content.decode()
    assert Response.objects.filter(wave=open_wave, status="complete").count() == 1


def test_the_address_is_stored_only_as_a_hash(open_wave):
    answer_through_open_link(Client(REMOTE_ADDR="203.0.113.77"), open_wave)
    response = Response.objects.get(wave=open_wave)
    assert response.address_hash == actions.hash_address(open_wave, "203.0.113.77")
    assert "203.0.113.77" not in response.address_hash


def test_the_organizer_sets_the_limits_on_the_fieldwork_form(client, organizer, open_wave):
    client.force_login(organizer)
    reply = client.post(
        reverse("surveys:fieldwork", args=[open_wave.pk]),
        {
            "is_open": "on",
            "open_link": "on",
            "open_link_per_address": "2",
            "open_link_per_browser": "1",
            "min_duration_seconds": "45",
        },
    )
    assert reply.status_code == 302
    open_wave.refresh_from_db()
    assert (open_wave.open_link_per_address, open_wave.min_duration_seconds) == (2, 45)


# Flags stored on responses.


def add_grid(wave, items: int = 4):
    grid = question(wave.questionnaire, "G1", "grid", 20)
    actions.add_likert_options(grid, 5)
    GridItem.objects.bulk_create(
        GridItem(question=grid, order=k, code=chr(97 + k), text_ko=f"항목 {k}")
        for k in range(items)
    )
    return grid


def test_open_link_completes_from_one_address_are_flagged_when_stored(open_wave, settings):
    settings.QUALITY_ADDRESS_THRESHOLD = 2
    open_wave.open_link_per_browser = 10
    open_wave.save()
    for _ in range(2):
        answer_through_open_link(Client(REMOTE_ADDR="203.0.113.5"), open_wave)
    answer_through_open_link(Client(REMOTE_ADDR="198.51.100.8"), open_wave)
    flags = sorted(
        Response.objects.filter(wave=open_wave).values_list("quality_flags", flat=True), key=len
    )
    assert flags == [[], [quality.ADDRESS], [quality.ADDRESS]]


def test_recomputing_flags_finds_speeders_and_straight_lining(wave):
    add_grid(wave)
    wave.min_duration_seconds = 60
    wave.save()
    straight = {**FULL_ANSWERS, "G1_a": 2.0, "G1_b": 2.0, "G1_c": 2.0, "G1_d": 2.0}
    varied = {**FULL_ANSWERS, "G1_a": 2.0, "G1_b": 4.0, "G1_c": 2.0, "G1_d": 2.0}
    fast = complete_response(wave, "R1", varied, duration_seconds=20)
    flat = complete_response(wave, "R2", straight, duration_seconds=400)
    fine = complete_response(wave, "R3", varied, duration_seconds=400)
    flagged = actions.do_refresh_quality_flags(wave, specs_of(questions_of(wave.questionnaire)))
    assert flagged == 2
    for response in (fast, flat, fine):
        response.refresh_from_db()
    assert fast.quality_flags == [quality.SPEEDER]
    assert flat.quality_flags == [quality.STRAIGHTLINING]
    assert fine.quality_flags == []


# Exclusion.


REGIONS = ("도심권", "동북권", "서북권", "서남권", "동남권")
AGES = ("18-29", "30-39", "40-49", "50-59", "60+")


def completes(wave, n: int, *, weigh: bool = False) -> list[Response]:
    """n complete responses spread over every stratum; weighted when asked (n >= 10)."""
    responses = [
        complete_response(
            wave,
            f"R{k}",
            FULL_ANSWERS,
            region=REGIONS[k % 5],
            gender=("남성", "여성")[(k // 5) % 2],
            age_band=AGES[(k // 10) % 5],
        )
        for k in range(n)
    ]
    if weigh:
        actions.do_weight_wave(wave)
    return responses


def test_excluding_flagged_responses_removes_them_from_weighting_and_results(wave, organizer):
    responses = completes(wave, 50, weigh=True)
    for response in responses[:5]:
        response.quality_flags = [quality.SPEEDER]
        response.save(update_fields=["quality_flags"])
    excluded = actions.do_exclude_responses(
        wave, flag=quality.SPEEDER, reason="under a minute", actor=organizer
    )
    assert excluded == 5
    assert wave.weighting_runs.first().respondents == 45
    assert Response.objects.filter(wave=wave).counted().count() == 45
    assert not Response.objects.filter(pk__in=[r.pk for r in responses[:5]], weight__isnull=False)
    data = item_data(wave, "Q3")
    assert len(data.values) == 45 and data.weights is not None


def test_an_exclusion_records_who_when_and_why(wave, organizer):
    first, second = completes(wave, 2)
    actions.do_exclude_responses(
        wave, response_ids=[first.pk], reason="same person twice", actor=organizer
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.excluded_by == organizer and first.excluded_at is not None
    assert first.exclusion_reason == "same person twice"
    assert second.excluded_at is None


def test_an_exclusion_without_a_reason_changes_nothing(wave, organizer):
    (response,) = completes(wave, 1)
    with pytest.raises(actions.ExclusionRefused):
        actions.do_exclude_responses(wave, response_ids=[response.pk], reason=" ", actor=organizer)
    response.refresh_from_db()
    assert response.excluded_at is None


def test_the_export_marks_excluded_responses_for_the_analyst(wave, organizer):
    first, second = completes(wave, 2)
    actions.do_exclude_responses(wave, response_ids=[first.pk], reason="bot", actor=organizer)
    dataset = wave_dataset(wave)
    names = [v.name for v in dataset.variables]
    column = names.index("excluded")
    by_id = {row[0]: row[column] for row in dataset.rows}
    assert by_id == {first.respondent_id: 1, second.respondent_id: 0}


def test_the_dashboard_lists_flagged_responses_and_their_exclusion(client, wave, organizer):
    (response,) = completes(wave, 1)
    response.quality_flags = [quality.STRAIGHTLINING]
    response.save(update_fields=["quality_flags"])
    client.force_login(organizer)
    reply = client.post(
        reverse("surveys:exclude_responses", args=[wave.pk]),
        {"response": [response.pk], "reason": "flat grid"},
        **EN,
    )
    assert reply.status_code == 302
    page = client.get(reverse("surveys:dashboard", args=[wave.pk]), **EN).content.decode()
    assert response.respondent_id in page and "Straight-lining" in page
    assert "flat grid" in page and organizer.email in page


def test_an_analyst_cannot_exclude_responses(client, wave, analyst):
    (response,) = completes(wave, 1)
    response.quality_flags = [quality.SPEEDER]
    response.save(update_fields=["quality_flags"])
    client.force_login(analyst)
    reply = client.post(
        reverse("surveys:exclude_responses", args=[wave.pk]),
        {"flag": quality.SPEEDER, "reason": "fast"},
    )
    assert reply.status_code == 403
    response.refresh_from_db()
    assert response.excluded_at is None


def test_a_signed_out_visitor_is_sent_to_sign_in_before_excluding(client, wave):
    UserFactory()
    reply = client.post(reverse("surveys:exclude_responses", args=[wave.pk]), {"flag": "x"})
    assert reply.status_code == 302 and "login" in reply["Location"]


def test_the_dashboard_counts_flags_and_exclusions_among_unflagged_completes(wave, organizer):
    flagged, excluded, *_plain = completes(wave, 5)
    flagged.quality_flags = [quality.SPEEDER, quality.STRAIGHTLINING]
    flagged.save(update_fields=["quality_flags"])
    actions.do_exclude_responses(
        wave, response_ids=[excluded.pk], reason="same person", actor=organizer
    )
    summary = fieldwork_summary(wave)
    assert summary["excluded"] == 1 and summary["completes"] == 4
    assert summary["flags"][quality.SPEEDER] == summary["flags"][quality.STRAIGHTLINING] == 1
    assert sum(summary["flags"].values()) == 2
    listed = flagged_responses(wave)
    assert sorted(row["respondent_id"] for row in listed) == sorted(
        [flagged.respondent_id, excluded.respondent_id]
    )
