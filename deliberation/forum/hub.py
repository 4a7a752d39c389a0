"""One subscription per room and worker process, fanned out to its connections here.

With plain Channels every connection has its own channel in the room's group, so each
event reaches each listener through the layer separately: a queue, a decode and a task
switch per listener, and an event the worker stored itself goes to Redis and back before
its own listeners see it. The hub joins the room's group once per process, delivers each
event to the process's connections in one pass, and hands an event this process stored
to its own listeners at once; the layer still carries it to the other workers, and the
hub drops the copy that comes back.

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
        self.listening: asyncio.Task | None = None
        self.joining = asyncio.Lock()

    async def join(self, room_id: int, listener: Listener) -> None:
        async with self.joining:
            if self.channel is None:
                self.channel = await self.layer.new_channel("roomhub.")
            if self.listening is None or self.listening.done():
                self.listening = asyncio.get_running_loop().create_task(self._listen())
            members = self.rooms.setdefault(room_id, set())
            if not members:
                await self.layer.group_add(room_group(room_id), self.channel)
            members.add(listener)

    async def leave(self, room_id: int, listener: Listener) -> None:
        async with self.joining:
            members = self.rooms.get(room_id)
            if members is None:
                return
            members.discard(listener)
            if not members:
                del self.rooms[room_id]
                if self.channel is not None:
                    await self.layer.group_discard(room_group(room_id), self.channel)
            if not self.rooms and self.listening is not None:
                # Nothing left to listen for: stop receiving and let the channel go, as a
                # consumer does when it closes (some layers share one receiver per process
                # between channels, or forget a channel whose receive was cancelled).
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
