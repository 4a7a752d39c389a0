"""One PostgreSQL connection per event loop for the room's hottest write.

Django's connections belong to threads, so every ORM call from a consumer costs a trip to
the thread pool and a health check. The chat message is a short transaction (the room
lock, then one statement; see deliberation.forum.actions.messages.ado_post_message); it
runs here on the event loop instead, through one psycopg async connection per loop,
opened on first use with the settings of Django's default database. Transactions on one
connection run one at a time; each takes a fraction of a millisecond, far below the rate
at which a worker receives messages.

The transaction goes to the server as one string (BEGIN, the lock, the statement,
COMMIT), bound on the client, in one round trip; not in psycopg's pipeline mode: under
load (500 clients reconnecting to one worker) a pipeline's exit waited for a result the
server had already sent, and every later message of the worker queued behind it for
good. Each transaction is also bounded by ``TIMEOUT``: past it the connection is dropped
and the transaction tried once more on a new one (the message statement stores a client's
message once, so a retry never doubles it).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import psycopg
from django.db import connections

TIMEOUT = 5.0  # seconds

_connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnection] = (
    weakref.WeakKeyDictionary()
)
# Every connection still open, whether or not its loop is: a loop that ended without
# closing its own leaves it here for close_all.
_opened: weakref.WeakSet[psycopg.AsyncConnection] = weakref.WeakSet()


class _LoopConnection:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.connection: psycopg.AsyncConnection | None = None

    async def fetch_one_locked(self, lock: str, sql: str, params: dict[str, Any]) -> tuple | None:
        """Run ``lock`` then ``sql`` in one transaction; the first row of ``sql``.

        None when the lock statement found nothing (``sql`` must then store nothing:
        the room's statements update the row the lock reads)."""
        async with self.lock:
            for attempt in (1, 2):
                connection = await self._connected()
                try:
                    async with asyncio.timeout(TIMEOUT):
                        return await self._locked_statement(connection, lock, sql, params)
                except (psycopg.OperationalError, TimeoutError):
                    # A connection the server dropped (a restart), or one that stopped
                    # answering: start again on a new one, once.
                    self.close()
                    if attempt == 2:
                        raise
        return None

    @staticmethod
    async def _locked_statement(
        connection: psycopg.AsyncConnection, lock: str, sql: str, params: dict[str, Any]
    ) -> tuple | None:
        # One string of four statements, bound on the client: one round trip where a
        # transaction of two statements takes four (BEGIN, the lock, the statement,
        # COMMIT), each a wait on the socket for the event loop.
        cursor = psycopg.AsyncClientCursor(connection)
        try:
            await cursor.execute(f"BEGIN; {lock}; {sql}; COMMIT", params)
        except psycopg.Error:
            if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                await connection.execute("ROLLBACK")
            raise
        cursor.nextset()  # past BEGIN, to the lock's rows
        if await cursor.fetchone() is None:
            return None
        cursor.nextset()
        return await cursor.fetchone()

    async def _connected(self) -> psycopg.AsyncConnection:
        if self.connection is None or self.connection.closed:
            self.connection = await psycopg.AsyncConnection.connect(
                **_connection_kwargs(), autocommit=True
            )
            _opened.add(self.connection)
        return self.connection

    def close(self) -> None:
        if self.connection is not None and not self.connection.closed:
            self.connection.pgconn.finish()
        self.connection = None


def _connection_kwargs() -> dict[str, Any]:
    settings = connections["default"].settings_dict
    kwargs = {
        "dbname": settings["NAME"],
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    return {key: value for key, value in kwargs.items() if value is not None}


async def fetch_one_locked(lock: str, sql: str, params: dict[str, Any]) -> tuple | None:
    """Lock, then run one statement, in one transaction on this loop's connection; the
    statement's first row."""
    loop = asyncio.get_running_loop()
    holder = _connections.get(loop)
    if holder is None:
        holder = _connections[loop] = _LoopConnection()
    return await holder.fetch_one_locked(lock, sql, params)


def close_current() -> None:
    """Close the running loop's connection (a loop that is about to end)."""
    holder = _connections.pop(asyncio.get_running_loop(), None)
    if holder is not None:
        holder.close()


def close_all() -> None:
    """Close every loop's connection (tests, before their database is dropped)."""
    for holder in list(_connections.values()):
        holder.close()
    _connections.clear()
    for connection in list(_opened):
        if not connection.closed:
            connection.pgconn.finish()
    _opened.clear()
