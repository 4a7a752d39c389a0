"""The event loop's own PostgreSQL connection never holds a worker's messages for good.

Every later message of a worker waits for the one before it on this connection: a
transaction that stops answering is given up after ``TIMEOUT`` and the connection is
replaced, so the message gets an error its client can resend and the next one goes
through.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections

from deliberation.forum import async_connection
from tests.factories import ForumGroupFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOCK = "SELECT id FROM forum_room WHERE id = %(room)s FOR UPDATE"
READ = "SELECT last_seq FROM forum_room WHERE id = %(room)s"


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the event loop's connection is PostgreSQL's")


def other_transaction() -> psycopg.Connection:
    settings = connections["default"].settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


async def test_a_transaction_that_stops_answering_is_given_up_and_the_next_goes_through(
    monkeypatch,
):
    from channels.db import database_sync_to_async

    room = await database_sync_to_async(lambda: ForumGroupFactory().room)()
    monkeypatch.setattr(async_connection, "TIMEOUT", 0.5)
    holder = other_transaction()
    holder.execute("SELECT id FROM forum_room WHERE id = %s FOR UPDATE", [room.pk])
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await async_connection.fetch_one_locked(LOCK, READ, {"room": room.pk})
    # Given up twice, each time after the limit, never waiting for good.
    assert 1.0 <= time.monotonic() - started < 5
    holder.rollback()
    holder.close()
    assert await async_connection.fetch_one_locked(LOCK, READ, {"room": room.pk}) == (0,)


async def test_nothing_is_returned_when_the_lock_finds_nothing():
    assert await async_connection.fetch_one_locked(LOCK, READ, {"room": 0}) is None


async def test_a_statement_that_fails_is_rolled_back_and_the_connection_goes_on():
    from channels.db import database_sync_to_async

    room = await database_sync_to_async(lambda: ForumGroupFactory().room)()
    bump = "UPDATE forum_room SET last_seq = last_seq + 1 WHERE id = %(room)s RETURNING 1 / 0"
    with pytest.raises(psycopg.errors.DivisionByZero):
        await async_connection.fetch_one_locked(LOCK, bump, {"room": room.pk})
    # The failed transaction stored nothing, and the next runs on the same connection.
    assert await async_connection.fetch_one_locked(LOCK, READ, {"room": room.pk}) == (0,)


async def test_texts_are_bound_as_values_not_as_statements():
    from channels.db import database_sync_to_async

    room = await database_sync_to_async(lambda: ForumGroupFactory().room)()
    echo = "SELECT %(text)s::text, %(room)s"
    text = "'; DROP TABLE forum_room; -- 안녕 %s {}"
    row = await async_connection.fetch_one_locked(LOCK, echo, {"room": room.pk, "text": text})
    assert row == (text, room.pk)
