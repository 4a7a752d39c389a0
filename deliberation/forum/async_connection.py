"""One PostgreSQL connection per event loop for the room's hottest write.

Django's connections belong to threads, so every ORM call from a consumer costs a trip to
the thread pool and a health check. The chat message is a single self-committing
statement (see actions.ado_post_message); it runs here on the event loop instead,
through one psycopg async connection per loop, opened on first use with the settings of
Django's default database. Statements on one connection run one at a time; each takes a
fraction of a millisecond, far below the rate at which a worker receives messages.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import psycopg
from django.db import connections

_connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnection] = (
    weakref.WeakKeyDictionary()
)


class _LoopConnection:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.connection: psycopg.AsyncConnection | None = None

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> tuple | None:
        async with self.lock:
            for attempt in (1, 2):
                if self.connection is None or self.connection.closed:
                    self.connection = await psycopg.AsyncConnection.connect(
                        **_connection_kwargs(), autocommit=True
                    )
                try:
                    cursor = await self.connection.execute(sql, params, prepare=True)
                    return await cursor.fetchone()
                except psycopg.OperationalError:
                    # A connection the server dropped (a restart): reconnect once.
                    await self.connection.close()
                    self.connection = None
                    if attempt == 2:
                        raise
        return None

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


async def fetch_one(sql: str, params: dict[str, Any]) -> tuple | None:
    """Run one statement on this loop's connection and return its first row."""
    loop = asyncio.get_running_loop()
    holder = _connections.get(loop)
    if holder is None:
        holder = _connections[loop] = _LoopConnection()
    return await holder.fetch_one(sql, params)


def close_all() -> None:
    """Close every loop's connection (tests, before their database is dropped)."""
    for holder in list(_connections.values()):
        holder.close()
    _connections.clear()
