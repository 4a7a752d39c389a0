"""The live room over websockets: every event and every refusal.

Runs on whatever layer the settings choose: the in-memory layer by default, Redis and
PostgreSQL when REDIS_URL / DATABASE_URL are set (CI runs both).
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from deliberation.core.names import display_name
from deliberation.core.roles import Role
from deliberation.forum import actions, protocol
from deliberation.forum.actions import rate_limit
from deliberation.forum.models import (
    Attendance,
    ExpertQuestion,
    GroupRecommendation,
    ModerationAction,
    QuickPoll,
    Room,
    RoomEvent,
)
from deliberation.forum.protocol import (
    CHAT_LIMIT,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_REMOVED,
    CLOSE_UNAUTHENTICATED,
    FRAME_LIMIT,
)
from tests.deliberation.forum.room_helpers import (
    close_code,
    drain,
    join,
    open_socket,
    receive,
    receive_matching,
    send,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


def stored_messages(room_id: int) -> list[str]:
    return list(
        RoomEvent.objects.filter(room_id=room_id, kind="message")
        .order_by("seq")
        .values_list("text", flat=True)
    )


# Admission -------------------------------------------------------------------------


async def test_anonymous_visitor_is_closed_with_4401(forum):
    communicator = await open_socket(None, forum.room.pk)
    assert await close_code(communicator) == CLOSE_UNAUTHENTICATED


async def test_panelist_of_another_group_is_refused(forum):
    communicator = await open_socket(forum.outsider, forum.room.pk)
    assert await close_code(communicator) == CLOSE_FORBIDDEN


async def test_facilitator_of_another_group_is_refused(forum):
    communicator = await open_socket(forum.other_facilitator, forum.room.pk)
    assert await close_code(communicator) == CLOSE_FORBIDDEN


async def test_unknown_room_is_closed_with_4404(forum):
    communicator = await open_socket(forum.alice, forum.room.pk + 1000)
    assert await close_code(communicator) == CLOSE_NOT_FOUND


async def test_foreign_origin_is_refused(forum):
    communicator = await open_socket(forum.alice, forum.room.pk, origin="https://evil.example")
    assert not communicator.accepted


async def test_member_receives_welcome_with_room_state(forum):
    communicator = await join(forum.alice, forum.room.pk)
    welcome = communicator.welcome
    assert welcome["room"]["kind"] == "group"
    assert welcome["you"]["id"] == forum.alice.pk
    assert welcome["you"]["can_run"] is False
    assert welcome["last_seq"] == 0
    assert welcome["phase"]["phase"] == "waiting"
    assert [p["id"] for p in welcome["presence"]] == [forum.alice.pk]
    await communicator.disconnect()


async def test_the_welcome_carries_the_limits_the_server_enforces(forum):
    communicator = await join(forum.alice, forum.room.pk)
    limits = communicator.welcome["limits"]
    assert limits == protocol.limits()
    assert limits["chat_limit"] == CHAT_LIMIT and limits["frame_limit"] == FRAME_LIMIT
    assert limits["max_frame_bytes"] == protocol.MAX_FRAME_BYTES
    assert limits["max_message_bytes"] == protocol.MAX_MESSAGE_BYTES
    await send(
        communicator, {"type": "message", "text": "가" * (limits["max_message_bytes"] // 3 + 1)}
    )
    assert (await receive(communicator, "error"))["code"] == "too_large"
    await communicator.disconnect()


async def test_facilitator_is_told_they_run_the_room(forum):
    communicator = await join(forum.facilitator, forum.room.pk)
    assert communicator.welcome["you"]["can_run"] is True
    await communicator.disconnect()


async def test_plenary_admits_panel_members_experts_and_refuses_uninvited_experts(plenary):
    carol = await join(plenary.carol, plenary.room.pk)
    expert = await join(plenary.expert, plenary.room.pk)
    assert expert.welcome["you"]["can_answer"] is True
    stranger = await database_sync_to_async(UserFactory)(role=Role.EXPERT)
    refused = await open_socket(stranger, plenary.room.pk)
    assert await close_code(refused) == CLOSE_FORBIDDEN
    await carol.disconnect()
    await expert.disconnect()


# Chat, sequence numbers, resume ------------------------------------------------------


async def test_message_is_saved_then_broadcast_with_sequence_numbers(forum):
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    await send(alice, {"type": "message", "text": "안녕하세요", "client_id": "a1"})
    await send(alice, {"type": "message", "text": "second"})
    first = await receive(bob, "message")
    second = await receive(bob, "message")
    assert (first["seq"], first["text"], first["author"]["id"]) == (1, "안녕하세요", forum.alice.pk)
    assert first["client_id"] == "a1"
    assert second["seq"] == 2
    ack = await receive(alice, "ack")
    assert ack == {"type": "ack", "client_id": "a1", "seq": 1}
    assert await database_sync_to_async(stored_messages)(forum.room.pk) == ["안녕하세요", "second"]
    await alice.disconnect()
    await bob.disconnect()


async def test_delivering_a_broadcast_takes_no_trip_to_the_sync_thread(forum, monkeypatch):
    import channels.consumer

    trips = []

    async def counting_close_old_connections():
        trips.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting_close_old_connections)
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    trips.clear()
    await database_sync_to_async(actions.do_post_message)(forum.room.pk, forum.alice, "hi")
    assert (await receive(alice, "message"))["text"] == "hi"
    assert (await receive(bob, "message"))["text"] == "hi"
    assert trips == []
    await alice.disconnect()
    await bob.disconnect()


async def test_a_worker_joins_a_room_group_once_for_all_its_connections(forum):
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        pytest.skip("group membership is read from the in-memory layer")
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    assert len(layer.groups[f"room.{forum.room.pk}"]) == 1
    await alice.disconnect()
    await bob.disconnect()
    assert f"room.{forum.room.pk}" not in layer.groups


async def test_a_message_reaches_this_workers_listeners_without_the_layer(forum, settings):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("the event-loop write and the Redis pub/sub layer need PostgreSQL and Redis")
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": "hubtest"},
        }
    }
    layer = get_channel_layer()
    sent = []

    async def held_back(group, message):
        sent.append((group, message))

    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    layer.group_send = held_back
    await send(alice, {"type": "message", "text": "local", "client_id": "l1"})
    assert (await receive(bob, "message"))["text"] == "local"
    assert (await receive(alice, "ack"))["seq"] == 1
    [(group, message)] = sent
    assert group == f"room.{forum.room.pk}" and message["seq"] == 1 and message["origin"]
    await alice.disconnect()
    await bob.disconnect()


async def test_repeated_client_id_stores_the_message_once(forum):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "message", "text": "once", "client_id": "same"})
    first = await receive(alice, "ack")
    await send(alice, {"type": "message", "text": "once", "client_id": "same"})
    second = await receive(alice, "ack")
    assert first["seq"] == second["seq"] == 1
    assert await database_sync_to_async(stored_messages)(forum.room.pk) == ["once"]
    await alice.disconnect()


async def test_reconnect_with_last_seq_receives_exactly_the_missed_events_in_order(forum):
    alice = await join(forum.alice, forum.room.pk)
    for n in range(1, 4):
        await send(alice, {"type": "message", "text": f"m{n}"})
        await receive(alice, "message")
    bob = await join(forum.bob, forum.room.pk, last_seq=1)
    replayed = [await receive(bob, "message") for _ in range(2)]
    assert [m["seq"] for m in replayed] == [2, 3]
    assert [m["text"] for m in replayed] == ["m2", "m3"]
    await send(alice, {"type": "message", "text": "m4"})
    live = await receive(bob, "message")
    assert live["seq"] == 4
    assert not [f for f in await drain(bob) if f["type"] == "message"]
    await alice.disconnect()
    await bob.disconnect()


async def test_welcome_carries_recent_messages_only_on_a_first_connection(forum):
    alice = await join(forum.alice, forum.room.pk)
    for n in range(1, 3):
        await send(alice, {"type": "message", "text": f"m{n}"})
        await receive(alice, "message")
    first = await join(forum.bob, forum.room.pk)
    assert [m["text"] for m in first.welcome["recent_messages"]] == ["m1", "m2"]
    resumed = await join(forum.bob, forum.room.pk, last_seq=1)
    assert resumed.welcome["recent_messages"] == []
    assert (await receive(resumed, "message"))["text"] == "m2"
    for communicator in (alice, first, resumed):
        await communicator.disconnect()


async def test_resume_frame_replays_from_the_given_sequence(forum):
    alice = await join(forum.alice, forum.room.pk)
    for n in range(1, 3):
        await send(alice, {"type": "message", "text": f"m{n}"})
        await receive(alice, "message")
    await send(alice, {"type": "resume", "last_seq": 0})
    assert [(await receive(alice, "message"))["seq"] for _ in range(2)] == [1, 2]
    await alice.disconnect()


async def test_lost_broadcast_is_filled_from_the_database_before_the_next_event(forum):
    alice = await join(forum.alice, forum.room.pk)

    def store_without_broadcast():
        Room.objects.filter(pk=forum.room.pk).update(last_seq=1)
        RoomEvent.objects.create(
            room=forum.room, seq=1, kind="message", text="lost", author=forum.bob
        )

    await database_sync_to_async(store_without_broadcast)()
    await send(alice, {"type": "message", "text": "next"})
    first = await receive(alice, "message")
    second = await receive(alice, "message")
    assert [(first["seq"], first["text"]), (second["seq"], second["text"])] == [
        (1, "lost"),
        (2, "next"),
    ]
    await alice.disconnect()


def test_concurrent_messages_get_gap_free_unique_sequence_numbers(forum, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be shared by writer threads")
    monkeypatch.setattr(rate_limit, "CHAT_LIMIT", 100)

    def post(n: int) -> int:
        try:
            return actions.do_post_message(forum.room.pk, forum.alice, f"c{n}").seq
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        seqs = sorted(pool.map(post, range(20)))
    assert seqs == list(range(1, 21))
    assert Room.objects.get(pk=forum.room.pk).last_seq == 20


def test_a_message_is_stored_with_the_room_lock_and_one_statement_on_postgresql(forum):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's")
    from django.test.utils import CaptureQueriesContext

    display_name(forum.alice)  # read once at admission, as the consumer does
    with CaptureQueriesContext(connection) as queries:
        event = actions.do_post_message(
            forum.room.pk, forum.alice, "hello", client_id="k1", access_version=0
        )
    statements = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(statements) == 2
    assert statements[0].rstrip().endswith("FOR UPDATE") and "INSERT INTO" in statements[1]
    stored = RoomEvent.objects.get(room=forum.room, seq=event.seq)
    assert (stored.text, stored.client_id, stored.author_id) == ("hello", "k1", forum.alice.pk)
    assert Room.objects.get(pk=forum.room.pk).last_seq == event.seq == 1


def test_an_event_and_the_room_counter_are_written_in_one_statement_on_postgresql(forum):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        event = actions.do_set_phase(forum.room.pk, forum.facilitator, "synthesis")
    writes = [q["sql"] for q in queries.captured_queries if re.search(r'SET "?last_seq', q["sql"])]
    assert len(writes) == 1 and "INSERT INTO" in writes[0]
    assert RoomEvent.objects.get(room=forum.room, seq=event.seq).kind == "phase"
    assert Room.objects.get(pk=forum.room.pk).last_seq == event.seq == 1


def test_a_muted_participant_is_refused_and_nothing_is_stored(forum):
    actions.do_mute(forum.room.pk, forum.facilitator, forum.alice.pk, 5, "calm down")
    last_seq = Room.objects.get(pk=forum.room.pk).last_seq
    with pytest.raises(actions.ActionRefused) as refused:
        actions.do_post_message(forum.room.pk, forum.alice, "still here")
    assert refused.value.code == "muted"
    assert Room.objects.get(pk=forum.room.pk).last_seq == last_seq
    assert not RoomEvent.objects.filter(kind="message").exists()


def test_a_repeated_client_id_returns_the_first_copy_and_advances_nothing(forum):
    first = actions.do_post_message(forum.room.pk, forum.alice, "once", client_id="k1")
    again = actions.do_post_message(forum.room.pk, forum.alice, "once", client_id="k1")
    assert (again.pk, again.seq, again.repeated) == (first.pk, first.seq, True)
    assert Room.objects.get(pk=forum.room.pk).last_seq == first.seq
    assert RoomEvent.objects.filter(kind="message").count() == 1


def test_concurrent_copies_of_one_message_are_stored_once_without_a_gap(forum):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be shared by writer threads")

    def post(n: int) -> int:
        try:
            return actions.do_post_message(
                forum.room.pk, forum.alice, "x", client_id="same", access_version=0
            ).seq
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        seqs = set(pool.map(post, range(8)))
    assert seqs == {1}
    assert Room.objects.get(pk=forum.room.pk).last_seq == 1
    actions.do_post_message(forum.room.pk, forum.alice, "next")
    assert list(RoomEvent.objects.values_list("seq", flat=True)) == [1, 2]


# Refusals ----------------------------------------------------------------------------


async def test_message_over_4kb_gets_an_error_and_is_not_stored(forum):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "message", "text": "가" * 1400})
    error = await receive(alice, "error")
    assert error["code"] == "too_large"
    assert await database_sync_to_async(stored_messages)(forum.room.pk) == []
    await alice.disconnect()


async def test_oversized_frame_gets_an_error(forum):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "ping", "padding": "x" * 9000})
    assert (await receive(alice, "error"))["code"] == "too_large"
    await alice.disconnect()


async def test_client_over_the_rate_limit_gets_an_error_and_nothing_is_stored(forum):
    alice = await join(forum.alice, forum.room.pk)
    for n in range(CHAT_LIMIT):
        await send(alice, {"type": "message", "text": f"m{n}"})
        await receive(alice, "message")
    await send(alice, {"type": "message", "text": "one too many"})
    assert (await receive(alice, "error"))["code"] == "rate_limited"
    assert len(await database_sync_to_async(stored_messages)(forum.room.pk)) == CHAT_LIMIT
    await alice.disconnect()


async def test_rate_limit_is_shared_between_connections_of_one_user(forum):
    first = await join(forum.alice, forum.room.pk)
    second = await join(forum.alice, forum.room.pk)
    for n in range(CHAT_LIMIT):
        await send(first, {"type": "message", "text": f"m{n}"})
        await receive(first, "message")
    await send(second, {"type": "message", "text": "from another tab"})
    assert (await receive(second, "error"))["code"] == "rate_limited"
    await first.disconnect()
    await second.disconnect()


async def test_a_connection_over_the_frame_limit_gets_an_error(forum):
    alice = await join(forum.alice, forum.room.pk)
    for _ in range(FRAME_LIMIT):
        await send(alice, {"type": "ping"})
        await receive(alice, "pong")
    await send(alice, {"type": "ping", "client_id": "one-more"})
    error = await receive(alice, "error", "pong")
    assert (error["type"], error["code"], error["client_id"]) == (
        "error",
        "rate_limited",
        "one-more",
    )
    await alice.disconnect()


async def test_questions_to_experts_are_rate_limited_like_messages(plenary):
    carol = await join(plenary.carol, plenary.room.pk)
    for n in range(CHAT_LIMIT):
        await send(carol, {"type": "question_ask", "text": f"q{n}", "client_id": f"q{n}"})
        assert (await receive(carol, "ack", "error"))["type"] == "ack"
    await send(carol, {"type": "question_ask", "text": "too many", "client_id": "late"})
    assert (await receive(carol, "ack", "error"))["code"] == "rate_limited"
    count = await database_sync_to_async(ExpertQuestion.objects.count)()
    assert count == CHAT_LIMIT
    await carol.disconnect()


async def test_a_message_on_postgresql_is_written_from_the_event_loop(forum, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the event-loop write is PostgreSQL's")
    from deliberation.forum.consumers import RoomConsumer

    trips = []
    original = RoomConsumer._handle

    def counting_handle(self, *args):
        trips.append(args[1])
        return original(self, *args)

    monkeypatch.setattr(RoomConsumer, "_handle", counting_handle)
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "message", "text": "fast", "client_id": "f1"})
    assert (await receive(alice, "ack"))["seq"] == 1
    assert trips == []
    assert await database_sync_to_async(stored_messages)(forum.room.pk) == ["fast"]
    await alice.disconnect()


async def test_malformed_json_gets_an_error_and_the_connection_lives_on(forum):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, "{not json")
    assert (await receive(alice, "error"))["code"] == "bad_json"
    await send(alice, "[1, 2]")
    assert (await receive(alice, "error"))["code"] == "bad_frame"
    await send(alice, {"type": "ping", "client_id": "p"})
    assert (await receive(alice, "pong"))["client_id"] == "p"
    await alice.disconnect()


async def test_unknown_event_type_gets_an_error(forum):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "launch_rockets"})
    assert (await receive(alice, "error"))["code"] == "unknown_type"
    await alice.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "phase_set", "phase": "synthesis"},
        {"type": "timer_start", "seconds": 60},
        {"type": "timer_stop"},
        {"type": "floor_give", "user_id": 1, "seconds": 60},
        {"type": "message_hide", "seq": 1},
        {"type": "mute", "user_id": 1, "minutes": 5},
        {"type": "remove", "user_id": 1},
        {"type": "poll_open", "question": "Q?", "options": ["a", "b"]},
        {"type": "recommendation_add", "text": "Do more"},
    ],
)
async def test_panelist_cannot_run_facilitator_actions(forum, frame):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, frame)
    assert (await receive(alice, "error"))["code"] == "forbidden"
    assert (
        await database_sync_to_async(lambda: RoomEvent.objects.filter(room=forum.room).count())()
        == 0
    )
    await alice.disconnect()


# Presence and attendance ---------------------------------------------------------------


async def test_presence_is_announced_on_join_and_leave_and_attendance_is_recorded(forum):
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    joined = await receive(alice, "presence")
    if joined["user"]["id"] == forum.alice.pk:
        joined = await receive(alice, "presence")
    assert (joined["user"]["id"], joined["present"]) == (forum.bob.pk, True)
    assert {p["id"] for p in bob.welcome["presence"]} == {forum.alice.pk, forum.bob.pk}
    await bob.disconnect()
    left = await receive(alice, "presence")
    assert (left["user"]["id"], left["present"]) == (forum.bob.pk, False)
    attendance = await database_sync_to_async(
        lambda: Attendance.objects.get(room=forum.room, user=forum.bob)
    )()
    assert attendance.left_at is not None and attendance.duration.total_seconds() >= 0
    await alice.disconnect()


# Phases, timer, queue ------------------------------------------------------------------


async def test_facilitator_sets_the_phase_for_everyone(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    await send(facilitator, {"type": "phase_set", "phase": "option_a"})
    event = await receive(alice, "phase")
    # The phase travels as its code; each page names it in its own language.
    assert event["phase"] == "option_a" and "label" not in event
    await send(facilitator, {"type": "phase_set", "phase": "nonsense"})
    assert (await receive(facilitator, "error"))["code"] == "invalid"
    await facilitator.disconnect()
    await alice.disconnect()


async def test_timer_deadline_survives_a_reconnect(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    await send(facilitator, {"type": "timer_start", "seconds": 300, "label": "Round 1"})
    started = await receive(facilitator, "timer")
    assert started["ends_at"] and started["label"] == "Round 1"
    await facilitator.disconnect()
    alice = await join(forum.alice, forum.room.pk)
    assert alice.welcome["timer"] == {"ends_at": started["ends_at"], "label": "Round 1"}
    await alice.disconnect()


async def test_timer_stop_clears_the_deadline(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    await send(facilitator, {"type": "timer_start", "seconds": 30})
    await receive(facilitator, "timer")
    await send(facilitator, {"type": "timer_stop"})
    assert (await receive(facilitator, "timer"))["ends_at"] is None
    await facilitator.disconnect()


async def test_speaking_queue_raise_lower_give_floor_and_end_turn(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    await send(alice, {"type": "hand_raise"})
    await receive(facilitator, "queue")
    await send(bob, {"type": "hand_raise"})
    queue = await receive(facilitator, "queue")
    assert [h["id"] for h in queue["hands"]] == [forum.alice.pk, forum.bob.pk]
    await send(bob, {"type": "hand_lower"})
    lowered = await receive_matching(alice, "queue", lambda f: f["seq"] > queue["seq"])
    assert [h["id"] for h in lowered["hands"]] == [forum.alice.pk]
    await send(alice, {"type": "hand_raise"})
    assert (await receive(alice, "error"))["code"] == "invalid"
    await send(facilitator, {"type": "floor_give", "user_id": forum.alice.pk, "seconds": 90})
    floor = await receive_matching(bob, "queue", lambda f: f["speaker"])
    assert floor["speaker"]["id"] == forum.alice.pk and floor["speaker_until"]
    assert floor["hands"] == []
    await send(alice, {"type": "floor_end"})
    assert (await receive(bob, "queue"))["speaker"] is None
    for communicator in (facilitator, alice, bob):
        await communicator.disconnect()


# Moderation ----------------------------------------------------------------------------


async def test_hidden_message_keeps_its_text_and_reason_for_audit_but_not_for_clients(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "message", "text": "rude words"})
    await receive(facilitator, "message")
    await send(facilitator, {"type": "message_hide", "seq": 1, "reason": "insult"})
    hidden = await receive(alice, "message_hidden")
    assert hidden["target_seq"] == 1

    def audit():
        message = RoomEvent.objects.get(room=forum.room, seq=1)
        log = ModerationAction.objects.get(room=forum.room, kind="hide")
        return message.text, message.hidden_reason, log.reason, log.actor_id

    assert await database_sync_to_async(audit)() == (
        "rude words",
        "insult",
        "insult",
        forum.facilitator.pk,
    )
    bob = await join(forum.bob, forum.room.pk, last_seq=0)
    replayed = await receive(bob, "message")
    assert replayed["hidden"] is True and replayed["text"] == ""
    for communicator in (facilitator, alice, bob):
        await communicator.disconnect()


async def test_muted_participant_cannot_post_until_the_mute_ends(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    await send(
        facilitator, {"type": "mute", "user_id": forum.alice.pk, "minutes": 5, "reason": "spam"}
    )
    notice = await receive(alice, "moderation")
    assert notice["action"] == "mute" and notice["user"]["id"] == forum.alice.pk
    await send(alice, {"type": "message", "text": "still here"})
    assert (await receive(alice, "error"))["code"] == "muted"
    assert await database_sync_to_async(stored_messages)(forum.room.pk) == []
    assert (
        await database_sync_to_async(
            lambda: ModerationAction.objects.filter(kind="mute", reason="spam").count()
        )()
        == 1
    )
    await facilitator.disconnect()
    await alice.disconnect()


async def test_facilitator_cannot_mute_someone_outside_the_room(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    await send(facilitator, {"type": "mute", "user_id": forum.outsider.pk, "minutes": 5})
    assert (await receive(facilitator, "error"))["code"] == "invalid"
    await facilitator.disconnect()


async def test_removed_participant_is_disconnected_and_cannot_return(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    await send(facilitator, {"type": "remove", "user_id": forum.bob.pk, "reason": "abuse"})
    assert (await receive(bob, "removed"))["type"] == "removed"
    assert await close_code(bob) == CLOSE_REMOVED
    again = await open_socket(forum.bob, forum.room.pk)
    assert await close_code(again) == CLOSE_REMOVED
    assert (
        await database_sync_to_async(
            lambda: ModerationAction.objects.filter(kind="remove", target=forum.bob).count()
        )()
        == 1
    )
    await facilitator.disconnect()


# Expert Q&A ------------------------------------------------------------------------------


async def test_questions_are_asked_upvoted_once_picked_and_answered(plenary):
    carol = await join(plenary.carol, plenary.room.pk)
    dan = await join(plenary.dan, plenary.room.pk)
    moderator = await join(plenary.moderator, plenary.room.pk)
    expert = await join(plenary.expert, plenary.room.pk)
    await send(carol, {"type": "question_ask", "text": "소각장은 어디에?", "client_id": "q"})
    asked = (await receive(dan, "question"))["question"]
    assert asked["status"] == "open" and asked["votes"] == 0
    await send(dan, {"type": "question_upvote", "question_id": asked["id"]})
    upvoted = await receive_matching(carol, "question", lambda f: f["question"]["votes"])
    assert upvoted["question"]["votes"] == 1
    await send(dan, {"type": "question_upvote", "question_id": asked["id"]})
    assert (await receive(dan, "error"))["code"] == "already_voted"
    await send(carol, {"type": "question_pick", "question_id": asked["id"]})
    assert (await receive(carol, "error"))["code"] == "forbidden"
    await send(moderator, {"type": "question_pick", "question_id": asked["id"]})
    # Dan's copy of his own upvote may still be on its way: wait for the pick.
    picked = await receive_matching(dan, "question", lambda f: f["question"]["status"] != "open")
    assert picked["question"]["status"] == "picked"
    await send(carol, {"type": "question_answer", "question_id": asked["id"], "text": "x"})
    assert (await receive(carol, "error"))["code"] == "forbidden"
    await send(expert, {"type": "question_answer", "question_id": asked["id"], "text": "강남"})
    answered = (await receive(dan, "question"))["question"]
    assert answered["status"] == "answered" and answered["answer"] == "강남"
    assert answered["answered_by"]["id"] == plenary.expert.pk
    stored = await database_sync_to_async(lambda: ExpertQuestion.objects.get(pk=asked["id"]))()
    assert (stored.votes, stored.status) == (1, "answered")
    for communicator in (carol, dan, moderator, expert):
        await communicator.disconnect()


async def test_questions_to_experts_belong_to_the_plenary(forum):
    alice = await join(forum.alice, forum.room.pk)
    await send(alice, {"type": "question_ask", "text": "?"})
    assert (await receive(alice, "error"))["code"] == "invalid"
    await alice.disconnect()


# Polls ---------------------------------------------------------------------------------


async def test_poll_votes_once_and_results_appear_when_it_closes(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    await send(facilitator, {"type": "poll_open", "question": "Which?", "options": ["A", "B"]})
    opened = (await receive(alice, "poll"))["poll"]
    assert opened["status"] == "open" and opened["results"] is None
    await send(alice, {"type": "poll_vote", "poll_id": opened["id"], "option": 1})
    assert (await receive(alice, "ack"))["option"] == 1
    await send(alice, {"type": "poll_vote", "poll_id": opened["id"], "option": 0})
    assert (await receive(alice, "error"))["code"] == "already_voted"
    await send(bob, {"type": "poll_vote", "poll_id": opened["id"], "option": 5})
    assert (await receive(bob, "error"))["code"] == "invalid"
    await send(bob, {"type": "poll_vote", "poll_id": opened["id"], "option": 1})
    await receive(bob, "ack")
    await send(facilitator, {"type": "poll_close", "poll_id": opened["id"]})
    closed = (await receive(bob, "poll"))["poll"]
    assert closed["status"] == "closed" and closed["results"] == [0, 2]
    assert await database_sync_to_async(lambda: QuickPoll.objects.get().status)() == "closed"
    for communicator in (facilitator, alice, bob):
        await communicator.disconnect()


# Synthesis -----------------------------------------------------------------------------


async def test_facilitator_records_recommendations_and_panelists_support_them(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    await send(facilitator, {"type": "recommendation_add", "text": "분리배출 교육 확대"})
    added = (await receive(alice, "recommendation"))["recommendation"]
    assert added["supporters"] == 0
    frame = {"type": "recommendation_support", "recommendation_id": added["id"], "support": True}
    await send(alice, frame)
    await receive(facilitator, "recommendation")
    assert (await receive(facilitator, "recommendation"))["recommendation"]["supporters"] == 1
    await send(alice, frame)
    assert (await receive(alice, "error"))["code"] == "invalid"
    await send(alice, {**frame, "support": False})
    assert (await receive(facilitator, "recommendation"))["recommendation"]["supporters"] == 0
    assert await database_sync_to_async(GroupRecommendation.objects.count)() == 1
    await facilitator.disconnect()
    await alice.disconnect()


async def test_welcome_carries_my_votes_and_support(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    await send(facilitator, {"type": "poll_open", "question": "Q", "options": ["A", "B"]})
    poll = (await receive(facilitator, "poll"))["poll"]
    await send(facilitator, {"type": "poll_vote", "poll_id": poll["id"], "option": 0})
    await receive(facilitator, "ack")
    await facilitator.disconnect()
    again = await join(forum.facilitator, forum.room.pk)
    assert again.welcome["polls"][0]["my_vote"] == 0
    assert json.dumps(again.welcome)
    await again.disconnect()


async def test_ping_delivers_a_trailing_event_whose_broadcast_was_lost(forum):
    alice = await join(forum.alice, forum.room.pk)

    def store_without_broadcast():
        Room.objects.filter(pk=forum.room.pk).update(last_seq=1)
        RoomEvent.objects.create(
            room=forum.room, seq=1, kind="message", text="lost", author=forum.bob
        )

    await database_sync_to_async(store_without_broadcast)()
    await send(alice, {"type": "ping"})
    frames = [await receive(alice, "message", "pong") for _ in range(2)]
    assert [(f["type"], f.get("seq")) for f in frames] == [("message", 1), ("pong", None)]
    await alice.disconnect()


async def test_resent_message_is_acknowledged_without_counting_against_the_limit(forum):
    alice = await join(forum.alice, forum.room.pk)
    for n in range(CHAT_LIMIT):
        await send(alice, {"type": "message", "text": f"m{n}", "client_id": f"c{n}"})
        await receive(alice, "ack")
    await send(alice, {"type": "message", "text": "m0", "client_id": "c0"})
    ack = await receive(alice, "ack", "error")
    assert ack == {"type": "ack", "client_id": "c0", "seq": 1}
    await alice.disconnect()


async def test_resent_message_does_not_use_up_the_allowance(forum):
    alice = await join(forum.alice, forum.room.pk)
    for n in range(CHAT_LIMIT - 1):
        await send(alice, {"type": "message", "text": f"m{n}", "client_id": f"c{n}"})
        await receive(alice, "ack")
    await send(alice, {"type": "message", "text": "m0", "client_id": "c0"})
    assert (await receive(alice, "ack", "error"))["seq"] == 1
    await send(alice, {"type": "message", "text": "last", "client_id": "last"})
    ack = await receive(alice, "ack", "error")
    assert (ack["type"], ack.get("seq")) == ("ack", CHAT_LIMIT)
    await alice.disconnect()
