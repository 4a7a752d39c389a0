"""The live forum names people by their display name: in the welcome, in every event and
in the exports, never by a panelist's username or e-mail address."""

from __future__ import annotations

import csv
import io
import json

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from deliberation.core.actions import do_set_display_name
from deliberation.core.roles import Role
from deliberation.forum import actions
from deliberation.forum.selectors import group_room
from tests.deliberation.forum.room_helpers import join, receive, send
from tests.factories import ForumGroupFactory, PanelistFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def seated_group(db):
    """A group of two seated panelists with telling accounts, and its facilitator."""
    facilitator = UserFactory(role=Role.FACILITATOR, first_name="Jihyun", last_name="Kim")
    chosen = PanelistFactory(
        draw_position=5, user__username="v2-V001", user__email="kim.minsu@example.org"
    )
    default = PanelistFactory(
        deliberation=chosen.deliberation,
        draw_position=17,
        user__username="v2-V002",
        user__email="lee.jiwoo@example.org",
    )
    do_set_display_name(chosen.user, "한강 지킴이")
    session = SessionFactory(deliberation=chosen.deliberation)
    group = ForumGroupFactory(
        session=session, facilitator=facilitator, members=[chosen.user, default.user]
    )
    return group, chosen.user, default.user


def assert_no_account_in(text: str, *users) -> None:
    for user in users:
        assert user.username not in text and user.email not in text


@pytest.mark.django_db(transaction=True)
async def test_the_welcome_and_messages_carry_display_names_not_accounts(seated_group):
    group, chosen, default = seated_group
    room = await database_sync_to_async(group_room)(group)
    first = await join(chosen, room.pk)
    second = await join(default, room.pk)
    assert first.welcome["you"]["name"] == "한강 지킴이" and first.welcome["you"]["seat"] is None
    assert second.welcome["you"]["seat"] == 17
    assert {p["name"] for p in second.welcome["presence"]} >= {"한강 지킴이"}
    await send(first, {"type": "message", "text": "안녕하세요"})
    message = await receive(second, "message")
    assert message["author"] == {"id": chosen.pk, "name": "한강 지킴이", "seat": None}
    again = await join(default, room.pk)
    recent = again.welcome["recent_messages"]
    assert recent[-1]["author"]["name"] == "한강 지킴이"
    assert_no_account_in(json.dumps([second.welcome, message, again.welcome]), chosen, default)
    for communicator in (first, second, again):
        await communicator.disconnect()


def test_the_transcript_export_carries_display_names_not_accounts(client, analyst, seated_group):
    group, chosen, default = seated_group
    room = group_room(group)
    actions.do_post_message(room.pk, chosen, "분리배출이 중요합니다")
    actions.do_post_message(room.pk, default, "동의합니다")
    actions.do_post_message(room.pk, group.facilitator, "감사합니다")
    client.force_login(analyst)
    client.cookies["django_language"] = "en"
    body = client.get(
        reverse("forum:export", args=[group.session.pk, "transcript", "csv"])
    ).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["author_name"] for r in rows] == ["한강 지킴이", "Participant 017", "Jihyun Kim"]
    assert [r["author"] for r in rows][:2] == [
        chosen.panel_seats.get().pseudonym,
        default.panel_seats.get().pseudonym,
    ]
    assert_no_account_in(body, chosen, default)


def test_the_questions_export_carries_the_authors_display_name(client, analyst, seated_group):
    group, chosen, default = seated_group
    plenary = group.session.rooms.get(group__isnull=True)
    actions.do_ask_question(plenary.pk, chosen, "소각장은 어디에 짓나요?")
    client.force_login(analyst)
    body = client.get(
        reverse("forum:export", args=[group.session.pk, "questions", "csv"])
    ).content.decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(body))
    assert row["author_name"] == "한강 지킴이"
    assert_no_account_in(body, chosen, default)


def test_the_allocation_page_names_members_by_display_name(client, organizer, seated_group):
    group, chosen, default = seated_group
    client.force_login(organizer)
    page = client.get(reverse("forum:allocation", args=[group.session.pk])).content.decode()
    assert "한강 지킴이" in page and "Jihyun Kim" in page
    assert_no_account_in(page, chosen, default)
