"""Organizers schedule sessions and choose moderators, experts and facilitators from the
team, never by typing an id."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from deliberation.core.roles import Role
from deliberation.forum.models import ForumGroup, Room, Session
from tests.factories import DeliberationFactory, ForumGroupFactory, UserFactory, join

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def team(client):
    deliberation = DeliberationFactory()
    organizer, facilitator, expert = UserFactory(), UserFactory(), UserFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    join(facilitator, deliberation, Role.FACILITATOR)
    join(expert, deliberation, Role.EXPERT)
    client.force_login(organizer)
    return deliberation, facilitator, expert


def session_data(**fields):
    data = {
        "kind": Session.Kind.REGIONAL_FORUM,
        "title": "동부권 시민토론회",
        "starts_at": "2027-04-03T14:00",
        "ends_at": "2027-04-03T17:00",
        "region": "동부권",
    }
    return {**data, **fields}


def test_an_organizer_schedules_a_session_with_groups_and_its_rooms_open(client, team):
    deliberation, facilitator, expert = team
    url = reverse("forum:session_create", args=[deliberation.slug])
    response = client.post(
        url,
        session_data(moderator=facilitator.pk, experts=[expert.pk], group_count=2),
    )
    session = Session.objects.get()
    assert response["Location"] == reverse("forum:allocation", args=[session.pk])
    assert (session.region, session.moderator, list(session.experts.all())) == (
        "동부권",
        facilitator,
        [expert],
    )
    # The groups are numbered; each page names them in its own language.
    assert list(session.groups.values_list("name", "number")) == [("01", 1), ("02", 2)]
    with translation.override("en"):
        assert [group.label for group in session.groups.all()] == ["Group 01", "Group 02"]
    assert Room.objects.filter(session=session).count() == 3  # the plenary and two groups


def test_the_pickers_offer_only_the_teams_people(client, team):
    deliberation, facilitator, expert = team
    stranger = UserFactory(role=Role.EXPERT, email="stranger@else.example")
    join(stranger, DeliberationFactory(), Role.EXPERT)
    page = client.get(reverse("forum:session_create", args=[deliberation.slug]), **ENGLISH)
    html = page.content.decode()
    assert expert.email in html and facilitator.email in html
    assert "stranger@else.example" not in html


def test_an_expert_of_another_team_is_refused_and_nothing_is_saved(client, team):
    deliberation, _, _ = team
    stranger = UserFactory()
    join(stranger, DeliberationFactory(), Role.EXPERT)
    url = reverse("forum:session_create", args=[deliberation.slug])
    response = client.post(url, session_data(experts=[stranger.pk]), **ENGLISH)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Session.objects.exists()


def test_a_session_that_ends_before_it_starts_is_refused(client, team):
    deliberation, _, _ = team
    url = reverse("forum:session_create", args=[deliberation.slug])
    response = client.post(url, session_data(ends_at="2027-04-03T13:00"), **ENGLISH)
    assert "The session ends before it starts." in response.content.decode()
    assert not Session.objects.exists()


def test_the_organizer_edits_a_session(client, team):
    deliberation, facilitator, _ = team
    group = ForumGroupFactory(session__deliberation=deliberation, facilitator=None)
    url = reverse("forum:session_edit", args=[group.session_id])
    client.post(url, session_data(title="새 제목", kind=Session.Kind.PLENARY))
    group.session.refresh_from_db()
    assert (group.session.title, group.session.kind) == ("새 제목", Session.Kind.PLENARY)


def test_a_group_gets_its_facilitator_from_the_team(client, team):
    deliberation, facilitator, _ = team
    group = ForumGroupFactory(session__deliberation=deliberation, facilitator=None)
    page = client.get(reverse("forum:allocation", args=[group.session_id]), **ENGLISH)
    assert facilitator.email in page.content.decode()
    client.post(
        reverse("forum:allocation", args=[group.session_id]),
        {"action": "facilitator", "group_id": group.pk, "facilitator": facilitator.pk},
    )
    assert ForumGroup.objects.get(pk=group.pk).facilitator == facilitator


def test_a_facilitator_off_the_team_cannot_be_given_a_group(client, team):
    deliberation, _, _ = team
    group = ForumGroupFactory(session__deliberation=deliberation, facilitator=None)
    outsider = UserFactory(role=Role.FACILITATOR)
    client.post(
        reverse("forum:allocation", args=[group.session_id]),
        {"action": "facilitator", "group_id": group.pk, "facilitator": outsider.pk},
    )
    assert ForumGroup.objects.get(pk=group.pk).facilitator is None
