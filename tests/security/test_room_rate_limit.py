"""The message limit and sanctions hold on every path, even for requests that race.

Each test holds the room's row lock in a third transaction while messages queue behind
it, then changes what they must see and lets them go: the exact interleaving that let a
sixth message (or a muted participant's) through when the checks read the room as it
was before the wait.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum import actions, async_connection
from deliberation.forum.models import ModerationAction, RoomEvent
from deliberation.forum.protocol import CHAT_LIMIT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")


def connect(*, autocommit: bool = False) -> psycopg.Connection:
    settings = connections["default"].settings_dict
    return psycopg.connect(
        autocommit=autocommit,
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def waiting_for_locks(expected: int, timeout: float = 10.0) -> None:
    """Wait until ``expected`` sessions wait for a lock (the queued messages).

    The probe runs each query in its own transaction: inside one, PostgreSQL serves
    pg_stat_activity from the snapshot taken by its first read, and a session that
    connects later would never be seen.
    """
    deadline = time.monotonic() + timeout
    with connect(autocommit=True) as probe:
        while time.monotonic() < deadline:
            count = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).fetchone()[0]
            if count >= expected:
                return
            time.sleep(0.02)
        rows = probe.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 60) "
            "FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()
    raise AssertionError(f"{expected} sessions never queued for the room lock: {rows}")


def post_sync(room_id, user, text):
    try:
        return actions.do_post_message(room_id, user, text, access_version=0).seq
    except ActionRefused as refused:
        return refused.code
    finally:
        connections.close_all()


def post_async(room_id, user, text):
    async def post():
        try:
            return (await actions.ado_post_message(room_id, user, text, access_version=0)).seq
        except ActionRefused as refused:
            return refused.code
        finally:
            async_connection.close_current()

    try:
        return asyncio.run(post())
    finally:
        connections.close_all()


def race(room_id, user, posts, *, while_locked=None):
    """Queue ``posts`` behind a held room lock; run ``while_locked`` before releasing it."""
    holder = connect()
    holder.execute("SELECT 1 FROM forum_room WHERE id = %s FOR UPDATE", [room_id])
    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        try:
            futures = [pool.submit(post, room_id, user, f"m{k}") for k, post in enumerate(posts)]
            waiting_for_locks(len(posts))
            if while_locked is not None:
                while_locked(holder)
            holder.commit()
        finally:
            # Released on every path: a failed wait must not leave the posts blocked.
            holder.close()
        return [f.result(timeout=10) for f in futures]


@pytest.mark.parametrize(
    "posts",
    [(post_sync, post_sync), (post_async, post_async), (post_sync, post_async)],
    ids=["thread-thread", "loop-loop", "thread-loop"],
)
def test_two_racing_messages_past_the_limit_store_only_one(forum, posts):
    for k in range(CHAT_LIMIT - 1):
        actions.do_post_message(forum.room.pk, forum.alice, f"earlier {k}")
    results = race(forum.room.pk, forum.alice, posts)
    assert sorted(results, key=str) == sorted([CHAT_LIMIT, "rate_limited"], key=str)
    assert RoomEvent.objects.filter(room=forum.room, kind="message").count() == CHAT_LIMIT


@pytest.mark.parametrize("post", [post_sync, post_async], ids=["thread", "loop"])
def test_a_mute_committed_while_a_message_waits_refuses_it(forum, post):
    def mute(holder):
        holder.execute(
            "INSERT INTO forum_moderationaction (room_id, actor_id, kind, target_id, reason, "
            "until, created_at) VALUES (%s, %s, 'mute', %s, '', %s, %s)",
            [
                forum.room.pk,
                forum.facilitator.pk,
                forum.alice.pk,
                timezone.now() + datetime.timedelta(minutes=5),
                timezone.now(),
            ],
        )

    (result,) = race(forum.room.pk, forum.alice, [post], while_locked=mute)
    assert result == "muted"
    assert ModerationAction.objects.filter(kind="mute").count() == 1
    assert not RoomEvent.objects.filter(room=forum.room, kind="message").exists()


def test_many_racing_rounds_never_exceed_the_limit(forum):
    """No held lock: two workers' posts at the same moment, many rounds."""
    barrier = threading.Barrier(2)

    def burst(post):
        barrier.wait()
        return post(forum.room.pk, forum.alice, "burst")

    for _ in range(6):
        RoomEvent.objects.filter(room=forum.room).delete()
        for k in range(CHAT_LIMIT - 1):
            actions.do_post_message(forum.room.pk, forum.alice, f"earlier {k}")
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(burst, [post_async, post_async]))
        assert RoomEvent.objects.filter(room=forum.room, kind="message").count() == CHAT_LIMIT
