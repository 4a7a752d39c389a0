"""Statements, votes and the live opinion map over the room's websocket, with the real
consumer (in-memory layer by default; Redis and PostgreSQL when REDIS_URL / DATABASE_URL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from channels.db import database_sync_to_async

from deliberation.forum import actions
from deliberation.forum.actions import statements as statement_actions
from deliberation.forum.models import OpinionMapSnapshot, Statement, StatementVote
from deliberation.forum.protocol import MAP_INTERVAL, MAX_STATEMENT_CHARS
from tests.deliberation.forum.room_helpers import (
    close_code,
    drain,
    join,
    open_socket,
    receive,
    send,
)
from tests.factories import PanelistFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


@database_sync_to_async
def _accepted(plenary, *texts: str) -> list[Statement]:
    out = []
    for text in texts:
        statement = actions.do_submit_statement(plenary.room.pk, plenary.moderator, text)
        actions.do_moderate_statement(plenary.room.pk, plenary.moderator, statement.pk, "accept")
        out.append(statement)
    return out


@database_sync_to_async
def _statement(pk: int) -> Statement:
    return Statement.objects.get(pk=pk)


async def test_a_submitted_statement_reaches_the_moderator_alone(plenary):
    moderator = await join(plenary.moderator, plenary.room.pk)
    dan = await join(plenary.dan, plenary.room.pk)
    carol = await join(plenary.carol, plenary.room.pk)
    await send(carol, {"type": "statement_submit", "text": "소각장은 멀리", "client_id": "s-1"})

    ack = await receive(carol, "ack")
    assert ack["client_id"] == "s-1" and ack["status"] == "pending"
    review = await receive(moderator, "statement_review")
    assert review["statement"]["id"] == ack["statement_id"]
    assert review["statement"]["text"] == "소각장은 멀리"
    assert review["statement"]["author"]["id"] == plenary.carol.pk
    assert not [f for f in await drain(dan) if f["type"].startswith("statement")]
    for c in (moderator, dan, carol):
        await c.disconnect()


async def test_an_accepted_statement_is_a_room_event_and_a_rejection_tells_its_author(plenary):
    moderator = await join(plenary.moderator, plenary.room.pk)
    carol = await join(plenary.carol, plenary.room.pk)
    dan = await join(plenary.dan, plenary.room.pk)
    for text, cid in (("재활용을 늘리자", "a"), ("욕설", "b")):
        await send(carol, {"type": "statement_submit", "text": text, "client_id": cid})
    ids = [(await receive(carol, "ack"))["statement_id"] for _ in range(2)]

    await send(
        moderator,
        {
            "type": "statement_moderate",
            "statement_id": ids[0],
            "decision": "accept",
            "client_id": "m",
        },
    )
    event = await receive(dan, "statement")
    assert event["seq"] > 0
    assert event["statement"] == {"id": ids[0], "text": "재활용을 늘리자", "status": "accepted"}
    assert (await receive(moderator, "ack"))["seq"] == event["seq"]

    await send(
        moderator,
        {
            "type": "statement_moderate",
            "statement_id": ids[1],
            "decision": "reject",
            "reason": "personal attack",
        },
    )
    review = await receive(carol, "statement_review")
    while review["statement"]["id"] != ids[1] or review["statement"]["status"] == "pending":
        review = await receive(carol, "statement_review")
    assert review["statement"]["status"] == "rejected"
    assert review["statement"]["rejection_reason"] == "personal attack"
    assert (await _statement(ids[1])).rejection_reason == "personal attack"
    assert not [f for f in await drain(dan) if f["type"] == "statement"]
    for c in (moderator, dan, carol):
        await c.disconnect()


async def test_a_panelist_cannot_moderate_over_the_socket(plenary):
    (statement,) = await database_sync_to_async(
        lambda: [actions.do_submit_statement(plenary.room.pk, plenary.carol, "의견")]
    )()
    dan = await join(plenary.dan, plenary.room.pk)
    await send(
        dan, {"type": "statement_moderate", "statement_id": statement.pk, "decision": "accept"}
    )

    error = await receive(dan, "error")
    assert error["code"] == "forbidden" and error["reason"] == "facilitator_only"
    assert (await _statement(statement.pk)).status == "pending"
    await dan.disconnect()


async def test_an_oversized_statement_is_refused_over_the_socket_and_nothing_is_stored(plenary):
    carol = await join(plenary.carol, plenary.room.pk)
    assert carol.welcome["limits"]["max_statement_chars"] == MAX_STATEMENT_CHARS
    await send(carol, {"type": "statement_submit", "text": "가" * (MAX_STATEMENT_CHARS + 1)})

    error = await receive(carol, "error")
    assert error["reason"] == "statement_too_long" and error["params"] == {
        "max": MAX_STATEMENT_CHARS
    }
    assert not await database_sync_to_async(Statement.objects.exists)()
    await carol.disconnect()


async def test_votes_resume_after_a_reconnect(plenary):
    first, second = await _accepted(plenary, "첫째", "둘째")
    carol = await join(plenary.carol, plenary.room.pk)
    shown = carol.welcome["statements"]["next"]["id"]
    assert carol.welcome["statements"]["my_votes"] == {}
    await send(
        carol, {"type": "statement_vote", "statement_id": shown, "vote": -1, "client_id": "v"}
    )
    ack = await receive(carol, "ack")
    other = second.pk if shown == first.pk else first.pk
    assert ack["statement_id"] == shown and ack["vote"] == -1 and ack["next"]["id"] == other
    last_seq = carol.welcome["last_seq"]
    await carol.disconnect()

    again = await join(plenary.carol, plenary.room.pk, last_seq=last_seq)
    assert again.welcome["statements"]["my_votes"] == {str(shown): -1}
    assert again.welcome["statements"]["next"]["id"] == other
    await again.disconnect()


async def test_a_changed_vote_over_the_socket_keeps_one_vote(plenary):
    (statement,) = await _accepted(plenary, "하나")
    carol = await join(plenary.carol, plenary.room.pk)
    for value in (1, 0):
        await send(carol, {"type": "statement_vote", "statement_id": statement.pk, "vote": value})
        await receive(carol, "ack")

    votes = await database_sync_to_async(lambda: list(StatementVote.objects.values_list("value")))()
    assert votes == [(0,)]
    await carol.disconnect()


async def test_a_vote_on_a_pending_statement_is_refused_over_the_socket(plenary):
    (statement,) = await database_sync_to_async(
        lambda: [actions.do_submit_statement(plenary.room.pk, plenary.carol, "대기")]
    )()
    dan = await join(plenary.dan, plenary.room.pk)
    assert dan.welcome["statements"]["accepted"] == []
    await send(dan, {"type": "statement_vote", "statement_id": statement.pk, "vote": 1})

    error = await receive(dan, "error")
    assert error["reason"] == "no_statement"
    assert not await database_sync_to_async(StatementVote.objects.exists)()
    await dan.disconnect()


async def test_the_live_map_is_computed_off_the_loop_stored_and_broadcast(plenary, monkeypatch):
    statements = await _accepted(plenary, *[f"의견 {k}" for k in range(6)])

    @database_sync_to_async
    def others_vote():
        for v in range(12):
            voter = PanelistFactory(deliberation=plenary.session.deliberation).user
            for k, statement in enumerate(statements):
                value = 1 if (k < 3) == (v % 2 == 0) else -1
                actions.do_vote_statement(plenary.room.pk, voter, statement.pk, value)

    await others_vote()
    threads = []
    compute = statement_actions.compute_room_map

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return compute(*args, **kwargs)

    monkeypatch.setattr(statement_actions, "compute_room_map", spy)
    dan = await join(plenary.dan, plenary.room.pk)
    moderator = await join(plenary.moderator, plenary.room.pk)
    assert dan.welcome["statements"]["opinion_map"] is None
    await send(dan, {"type": "statement_vote", "statement_id": statements[0].pk, "vote": 1})
    await receive(dan, "ack")

    live = await receive(moderator, "opinion_map", timeout=20)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert live["votes"] == 73 and live["participants"] == 13
    assert len(live["points"]) == 13 and len(live["groups"]) == 2
    assert live["tallies"][str(statements[0].pk)] == [7, 6, 0]
    assert "id" not in live["groups"][0]["representative"][0]  # statements by id, no voters
    assert (await receive(dan, "opinion_map"))["computed_at"] == live["computed_at"]
    kept = await database_sync_to_async(OpinionMapSnapshot.objects.get)()
    assert kept.vote_count == 73

    again = await join(plenary.carol, plenary.room.pk)
    assert again.welcome["statements"]["opinion_map"]["computed_at"] == live["computed_at"]
    for c in (dan, moderator, again):
        await c.disconnect()


async def test_votes_during_a_computation_are_in_the_next_map_an_interval_later(plenary):
    statements = await _accepted(plenary, "첫째", "둘째", "셋째")
    carol = await join(plenary.carol, plenary.room.pk)
    maps = []

    async def until(kind):
        while True:
            frame = await receive(carol, "ack", "opinion_map", timeout=MAP_INTERVAL + 15)
            if frame["type"] == "opinion_map":
                maps.append(frame)
            if frame["type"] == kind:
                return frame

    for statement in statements:
        await send(carol, {"type": "statement_vote", "statement_id": statement.pk, "vote": 1})
        await until("ack")
    while not maps or maps[-1]["votes"] < 3:
        await until("opinion_map")

    assert len(maps) <= 2  # three votes, at most two maps
    if len(maps) == 2:
        gap = datetime.datetime.fromisoformat(maps[1]["computed_at"]) - (
            datetime.datetime.fromisoformat(maps[0]["computed_at"])
        )
        assert gap.total_seconds() >= MAP_INTERVAL - 0.5
    count = await database_sync_to_async(OpinionMapSnapshot.objects.count)()
    assert count == len(maps)
    await carol.disconnect()


async def test_a_group_room_turns_statements_on_for_everyone(forum):
    alice = await join(forum.alice, forum.room.pk)
    facilitator = await join(forum.facilitator, forum.room.pk)
    assert alice.welcome["statements"]["enabled"] is False
    await send(alice, {"type": "statements_toggle", "enabled": True})
    assert (await receive(alice, "error"))["reason"] == "facilitator_only"
    await send(facilitator, {"type": "statements_toggle", "enabled": True})

    event = await receive(alice, "statements")
    assert event["enabled"] is True and event["seq"] > 0
    await send(alice, {"type": "statement_submit", "text": "분리수거 교육"})
    assert (await receive(alice, "ack"))["status"] == "pending"
    for c in (alice, facilitator):
        await c.disconnect()


async def test_a_panelist_of_another_group_cannot_enter_to_vote(forum):
    outsider = await open_socket(forum.outsider, forum.room.pk)
    assert await close_code(outsider) == 4403
