"""One subscription per room and worker process, fanned out to its connections here.

With plain Channels every connection has its own channel in the room's group, so each
event reaches each listener through the layer separately: a queue, a decode and a task
switch per listener, and an event the worker stored itself goes to Redis and back before
its own listeners see it. The hub joins the room's group once per process, delivers each
event to the process's connections in one pass, and hands an event this process stored
to its own listeners at once; the layer still carries it to the other workers, and the
hub drops the copy that comes back.

What is meant for some of a room's connections only (a removal, a closed seat, a
statement under review) goes to the room's group too, addressed to users or to whoever
runs the room, and each connection keeps what is addressed to it. So under a hub a
connection has no channel of its own in the layer, and connecting subscribes nothing:
after a worker dies, its clients' reconnects never queue behind each other's
subscriptions to Redis.

Delivery stays ordered and gap-free per connection: the consumer drops what it already
sent and reads any gap from the database (see deliberation.forum.consumers.RoomConsumer).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from channels.layers import get_channel_layer

from deliberation.forum.channel_groups import room_group

logger = logging.getLogger(__name__)


class Listener(Protocol):
    async def hub_deliver(self, message: dict) -> None: ...


class RoomHub:
    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.rooms: dict[int, set[Listener]] = {}
        self.subscribed: set[int] = set()
        self.listening: asyncio.Task | None = None
        self.starting = asyncio.Lock()
        self.room_locks: dict[int, asyncio.Lock] = {}
        self.joins_under_way = 0

    async def join(self, room_id: int, listener: Listener) -> None:
        """Add a listener; subscribe the process to the room first if it is not yet.

        A room already subscribed takes no await at all: after a worker dies, hundreds of
        its clients join this one's rooms at once, and none of them may wait behind
        another room's subscription to the layer.
        """
        if room_id in self.subscribed:
            self.rooms[room_id].add(listener)
            return
        self.joins_under_way += 1
        try:
            async with self._room_lock(room_id):
                channel = await self._listening_channel()
                if room_id not in self.subscribed:
                    await self.layer.group_add(room_group(room_id), channel)
                    self.subscribed.add(room_id)
                self.rooms.setdefault(room_id, set()).add(listener)
        finally:
            self.joins_under_way -= 1

    async def leave(self, room_id: int, listener: Listener) -> None:
        members = self.rooms.get(room_id)
        if members is None:
            return
        members.discard(listener)
        if members:
            return
        async with self._room_lock(room_id):
            if self.rooms.get(room_id):  # someone joined meanwhile
                return
            self.rooms.pop(room_id, None)
            if room_id in self.subscribed:
                self.subscribed.discard(room_id)
                if self.channel is not None:
                    await self.layer.group_discard(room_group(room_id), self.channel)
        self.room_locks.pop(room_id, None)
        await self._stop_when_idle()

    def _room_lock(self, room_id: int) -> asyncio.Lock:
        lock = self.room_locks.get(room_id)
        if lock is None:
            lock = self.room_locks[room_id] = asyncio.Lock()
        return lock

    async def _listening_channel(self) -> str:
        async with self.starting:
            if self.channel is None:
                self.channel = await self.layer.new_channel("roomhub.")
            if self.listening is None or self.listening.done():
                self.listening = asyncio.get_running_loop().create_task(self._listen())
            return self.channel

    async def _stop_when_idle(self) -> None:
        """Nothing left to listen for: stop receiving and let the channel go, as a
        consumer does when it closes (some layers share one receiver per process between
        channels, or forget a channel whose receive was cancelled)."""
        async with self.starting:
            if self.rooms or self.joins_under_way or self.listening is None:
                return
            self.listening.cancel()
            try:
                await self.listening
            except asyncio.CancelledError:
                pass
            self.listening = None
            self.channel = None

    async def publish(self, room_id: int, message: dict) -> None:
        """Deliver to this process's listeners now, and to the other workers' through the
        layer, marked so that this hub ignores the copy it gets back."""
        await self.deliver(room_id, message)
        await self.layer.group_send(room_group(room_id), {**message, "origin": self.channel})

    async def deliver(self, room_id: int, message: dict) -> None:
        for listener in list(self.rooms.get(room_id, ())):
            try:
                await listener.hub_deliver(message)
            except Exception:
                logger.exception("delivery in room %s failed", room_id)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room hub: receiving from the channel layer failed")
                await asyncio.sleep(0.5)
                continue
            if self.channel is not None and message.get("origin") == self.channel:
                continue
            room_id = message.get("room")
            if isinstance(room_id, int):
                await self.deliver(room_id, message)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub] = weakref.WeakKeyDictionary()


def current_hub() -> RoomHub | None:
    """This event loop's hub, created on first use.

    None without a channel layer, and with channels-redis's core layer, whose one
    receiver per process serves every channel of the process and is left to the
    consumers' own channels (each connection joins the room's group itself there).
    """
    layer = get_channel_layer()
    if layer is None or _is_core_redis_layer(layer):
        return None
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = RoomHub(layer)
    return hub


def _is_core_redis_layer(layer: Any) -> bool:
    try:
        from channels_redis.core import RedisChannelLayer
    except ImportError:
        return False
    return isinstance(layer, RedisChannelLayer)
