"""The live opinion map: recomputed while votes arrive, at most once per MAP_INTERVAL
seconds per room and worker process, always in a worker thread, never on the event loop.

A vote pokes the room's refresher; the first poke after a quiet spell computes at once,
later ones within the interval are gathered into one computation at its end. The
computation reads the votes, computes, stores the map (``OpinionMapSnapshot``) and sends
it to the room (``actions.statements.do_refresh_opinion_map``); a poke whose votes the
last map already counts costs two queries and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref

from channels.db import database_sync_to_async

from deliberation.forum.protocol import MAP_INTERVAL

logger = logging.getLogger(__name__)


class MapRefresher:
    def __init__(self, interval: float = MAP_INTERVAL) -> None:
        self.interval = interval
        self.last_run: dict[int, float] = {}
        self.pending: dict[int, asyncio.Task] = {}
        self.computing: set[int] = set()
        self.dirty: set[int] = set()

    def poke(self, room_id: int) -> None:
        """Votes changed in the room: make sure a computation follows, soon enough."""
        task = self.pending.get(room_id)
        if task is not None and not task.done():
            if room_id in self.computing:
                # These votes may come too late for the map being computed: another follows.
                self.dirty.add(room_id)
            return
        delay = max(
            0.0, self.last_run.get(room_id, -self.interval) + self.interval - time.monotonic()
        )
        task = asyncio.get_running_loop().create_task(self._run(room_id, delay))
        self.pending[room_id] = task

    async def _run(self, room_id: int, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            self.last_run[room_id] = time.monotonic()
            self.computing.add(room_id)
            await refresh_in_thread(room_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("room %s: the opinion map could not be computed", room_id)
        finally:
            self.computing.discard(room_id)
            self.pending.pop(room_id, None)
        if room_id in self.dirty:
            self.dirty.discard(room_id)
            self.poke(room_id)


async def refresh_in_thread(room_id: int) -> None:
    """The computation in a thread: its own on PostgreSQL, Channels' database thread on
    SQLite (one writer at a time); the event loop goes on serving the room meanwhile."""
    from django.db import connection

    from deliberation.forum.actions.statements import do_refresh_opinion_map

    await database_sync_to_async(
        do_refresh_opinion_map, thread_sensitive=connection.vendor != "postgresql"
    )(room_id)


_refreshers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MapRefresher] = (
    weakref.WeakKeyDictionary()
)


def current_refresher() -> MapRefresher:
    """This event loop's refresher, created on first use."""
    loop = asyncio.get_running_loop()
    refresher = _refreshers.get(loop)
    if refresher is None:
        refresher = _refreshers[loop] = MapRefresher()
    return refresher
