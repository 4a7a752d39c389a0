"""Poll respondents who volunteered flow into the pool, once, with their contacts apart."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from panels.models import Volunteer, VolunteerContact
from panels.record_ids import new_record_ids
from surveys.actions import do_add_poll_volunteers, do_volunteer
from surveys.models import Response
from tests.surveys.factories import WaveFactory, add_strata

ALLOWED = {
    "region": {"도심권", "동북권", "서북권", "서남권", "동남권"},
    "gender": {"남성", "여성"},
    "age_band": {"18-29", "30-39", "40-49", "50-59", "60+"},
}


@pytest.fixture
def poll(db):
    wave = WaveFactory()
    add_strata(wave.deliberation)
    return wave


def volunteer(wave, respondent_id: str, email: str, **profile) -> None:
    profile = {"region": "도심권", "gender": "여성", "age_band": "30-39", **profile}
    response = Response.objects.create(
        wave=wave, respondent_id=respondent_id, status=Response.Status.COMPLETE, **profile
    )
    do_volunteer(response, name="", phone="", email=email)


@pytest.fixture
def trusted_organizer(organizer):
    organizer.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
    return type(organizer).objects.get(pk=organizer.pk)


def test_opt_ins_join_the_pool_with_their_strata_and_contacts(poll, trusted_organizer):
    volunteer(poll, "R1", "a@example.org")
    volunteer(poll, "R2", "b@example.org", region="서남권", gender="남성", age_band="60+")
    check = do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer)
    assert check.ok
    pool = {v.external_id: v for v in Volunteer.objects.filter(deliberation=poll.deliberation)}
    assert set(pool) == {"poll-R1", "poll-R2"}
    assert pool["poll-R2"].features == {"age_band": "60+", "gender": "남성", "region": "서남권"}
    assert pool["poll-R2"].source == Volunteer.Source.POLL
    assert VolunteerContact.objects.get(volunteer=pool["poll-R1"]).email == "a@example.org"


def test_adding_poll_volunteers_twice_adds_nothing_new(poll, trusted_organizer):
    volunteer(poll, "R1", "a@example.org")
    do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer)
    do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer)
    assert Volunteer.objects.filter(deliberation=poll.deliberation).count() == 1


def test_the_same_person_twice_is_reported_and_nothing_is_added(poll, trusted_organizer):
    volunteer(poll, "R1", "same@example.org")
    volunteer(poll, "R2", "Same@Example.org ")
    check = do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer)
    assert not check.ok
    assert not Volunteer.objects.filter(deliberation=poll.deliberation).exists()


def test_organizers_without_the_contact_grant_cannot_move_contacts(client, poll, organizer):
    volunteer(poll, "R1", "a@example.org")
    client.force_login(organizer)
    url = reverse("surveys:add_poll_volunteers", args=[poll.deliberation.slug])
    response = client.post(url)
    assert response.status_code == 302
    assert not Volunteer.objects.filter(deliberation=poll.deliberation).exists()


def test_the_pool_page_button_adds_poll_volunteers(client, poll, trusted_organizer):
    volunteer(poll, "R1", "a@example.org")
    client.force_login(trusted_organizer)
    client.post(reverse("surveys:add_poll_volunteers", args=[poll.deliberation.slug]))
    assert Volunteer.objects.filter(deliberation=poll.deliberation).count() == 1


def test_analysts_cannot_add_poll_volunteers(client, poll, analyst):
    volunteer(poll, "R1", "a@example.org")
    client.force_login(analyst)
    response = client.post(reverse("surveys:add_poll_volunteers", args=[poll.deliberation.slug]))
    assert response.status_code == 403
    assert not Volunteer.objects.exists()


def test_a_seeded_generator_gives_the_same_record_ids(poll, trusted_organizer):
    volunteer(poll, "R1", "a@example.org")
    do_add_poll_volunteers(
        poll.deliberation, ALLOWED, actor=trusted_organizer, rng=random.Random(2021)
    )
    assert Volunteer.objects.get().record_id == new_record_ids(1, rng=random.Random(2021))[0]


def test_adding_poll_volunteers_costs_the_same_queries_for_3_or_300(poll, trusted_organizer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        volunteer(poll, f"A{i}", f"a{i}@example.org")
    # A first run reads the organizer's permissions once for the request.
    do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer)
    Volunteer.objects.filter(deliberation=poll.deliberation).delete()
    with CaptureQueriesContext(connection) as few:
        assert do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer).ok
    Volunteer.objects.filter(deliberation=poll.deliberation).delete()
    for i in range(297):
        volunteer(poll, f"C{i}", f"c{i}@example.org")
    with CaptureQueriesContext(connection) as many:
        assert do_add_poll_volunteers(poll.deliberation, ALLOWED, actor=trusted_organizer).ok
    assert Volunteer.objects.filter(deliberation=poll.deliberation).count() == 300

    # Bulk inserts go in batches (SQLite binds at most 999 values a statement); every other
    # query is the same.
    def reads(captured) -> list[str]:
        return [q["sql"][:24] for q in captured.captured_queries if "INSERT" not in q["sql"]]

    assert reads(many) == reads(few)
    assert len(many) - len(reads(many)) <= 3 * (len(few) - len(reads(few)))
