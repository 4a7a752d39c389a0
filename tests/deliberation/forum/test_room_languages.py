"""What the room sends is worded by each page in its reader's language.

Refusals travel as a code, a reason and parameters, phases as codes, numbered groups as
numbers: the server never builds a sentence or a label in one language for everyone. Every
reason the server can send has a text on the page, in Korean and in English.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.apps import apps
from django.utils import timezone, translation

from deliberation.forum.models import ForumGroup, Room, RoomEvent
from deliberation.forum.protocol import CHAT_LIMIT, CHAT_WINDOW, FRAME_LIMIT, FRAME_WINDOW
from deliberation.forum.views import room_strings
from deliberation.forum.wire import event_to_wire
from tests.deliberation.forum.room_helpers import join, receive, send
from tests.factories import ForumGroupFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

FORUM = Path(__file__).resolve().parents[3] / "deliberation" / "forum"


def error_keys(error: dict) -> tuple:
    return error["code"], error["reason"], error["params"]


async def test_refusals_carry_a_reason_and_parameters_for_the_page_to_word(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)

    await send(alice, {"type": "floor_end", "client_id": "e1"})
    error = await receive(alice, "error")
    assert error_keys(error) == ("invalid", "nobody_speaking", {})
    assert error["client_id"] == "e1"

    await send(alice, {"type": "phase_set", "phase": "option_a"})
    assert error_keys(await receive(alice, "error")) == ("forbidden", "facilitator_only", {})

    await send(facilitator, {"type": "floor_give", "user_id": forum.alice.pk, "seconds": 5})
    assert error_keys(await receive(facilitator, "error")) == (
        "invalid",
        "bad_number",
        {"field": "seconds", "low": 10, "high": 1800},
    )

    for n in range(CHAT_LIMIT):
        await send(alice, {"type": "message", "text": f"m{n}"})
        await receive(alice, "message")
    await send(alice, {"type": "message", "text": "one too many"})
    assert error_keys(await receive(alice, "error")) == (
        "rate_limited",
        "chat_rate",
        {"limit": CHAT_LIMIT, "seconds": CHAT_WINDOW},
    )

    await send(
        facilitator, {"type": "mute", "user_id": forum.bob.pk, "minutes": 5, "reason": "spam"}
    )
    bob = await join(forum.bob, forum.room.pk)
    await send(bob, {"type": "message", "text": "still here"})
    error = await receive(bob, "error")
    assert (error["code"], error["reason"]) == ("muted", "muted")
    assert error["params"]["until"] == bob.welcome["you"]["muted_until"]

    await send(alice, "not json")
    assert error_keys(await receive(alice, "error")) == ("bad_json", "bad_json", {})
    for communicator in (facilitator, alice, bob):
        await communicator.disconnect()


async def test_the_frame_limit_refusal_carries_its_numbers(forum):
    alice = await join(forum.alice, forum.room.pk)
    for _ in range(FRAME_LIMIT):
        await send(alice, {"type": "ping"})
        await receive(alice, "pong")
    await send(alice, {"type": "ping"})
    assert error_keys(await receive(alice, "error", "pong")) == (
        "rate_limited",
        "frame_rate",
        {"limit": FRAME_LIMIT, "seconds": FRAME_WINDOW},
    )
    await alice.disconnect()


async def test_the_phase_travels_as_its_code(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    assert alice.welcome["phase"] == {"phase": "waiting"}
    assert alice.welcome["phases"] == list(Room.Phase.values)
    await send(facilitator, {"type": "phase_set", "phase": "option_b"})
    event = await receive(alice, "phase")
    assert event["phase"] == "option_b" and "label" not in event
    await facilitator.disconnect()
    await alice.disconnect()


async def test_a_numbered_groups_room_sends_its_number_for_the_page_to_name(forum):
    await database_sync_to_async(
        lambda: ForumGroup.objects.filter(pk=forum.group.pk).update(name="04", number=4)
    )()
    alice = await join(forum.alice, forum.room.pk)
    assert alice.welcome["room"]["number"] == 4 and alice.welcome["room"]["name"] == "04"
    await alice.disconnect()


def test_a_phase_event_stored_with_a_label_is_sent_without_it(forum):
    old = RoomEvent(
        room=forum.room,
        seq=1,
        kind="phase",
        payload={"phase": "option_b", "label": "B안"},
        created_at=timezone.now(),
    )
    assert "label" not in event_to_wire(old)
    assert event_to_wire(old)["phase"] == "option_b"


def reasons_in_the_code() -> set[str]:
    """Every reason= the room's actions and consumer can send."""
    found = set()
    for path in [FORUM / "consumers.py", *sorted((FORUM / "actions").glob("*.py"))]:
        found |= set(re.findall(r'reason="(\w+)"', path.read_text()))
    return found


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_reason_and_code_and_phase_has_a_text_on_the_page(language):
    with translation.override(language):
        strings = room_strings()
    reasons = reasons_in_the_code()
    assert {"nobody_speaking", "facilitator_only", "chat_rate", "frame_rate"} <= reasons
    codes = {
        "bad_json",
        "bad_frame",
        "unknown_type",
        "too_large",
        "rate_limited",
        "forbidden",
        "invalid",
        "muted",
        "removed",
        "revoked",
        "already_voted",
        "server_error",
    }
    missing = {
        key
        for key in {f"error_{name}" for name in reasons | codes} | {"error_unknown"}
        if not strings.get(key)
    }
    assert missing == set()
    assert all(strings[f"phase_{value}"] for value in Room.Phase.values)
    # The parameters a text names are the ones the server sends.
    assert "%(until)s" in strings["error_muted"]
    assert "%(low)s" in strings["error_bad_number"] and "%(high)s" in strings["error_bad_number"]


def test_groups_made_by_allocation_are_numbered_and_named_in_the_readers_language(db):
    group = ForumGroupFactory(name="07", number=7)
    with translation.override("en"):
        assert group.label == "Group 07"
        assert str(group).endswith("Group 07")
    named = ForumGroupFactory(name="Youth table")
    assert named.number is None and named.label == "Youth table"


def test_the_migration_numbers_the_groups_named_in_korean_and_keeps_their_names(db):
    session = SessionFactory()
    numbered = [ForumGroup.objects.create(session=session, name=f"{n:02d}조") for n in (1, 12)]
    by_hand = ForumGroup.objects.create(session=session, name="청년 조")
    already = ForumGroup.objects.create(session=session, name="03", number=3)
    migration = importlib.import_module("deliberation.forum.migrations.0007_group_number")
    migration.number_the_generated_groups(apps, None)
    rows = dict(ForumGroup.objects.values_list("pk", "number"))
    assert [rows[group.pk] for group in numbered] == [1, 12]
    assert rows[by_hand.pk] is None and rows[already.pk] == 3
    assert [group.name for group in ForumGroup.objects.filter(pk__in=[g.pk for g in numbered])] == [
        "01조",
        "12조",
    ]
