"""The room hub carries everything a connection receives, so connecting subscribes
nothing to the channel layer, and what is meant for one person reaches only them.

After a worker dies, its clients reconnect to the others all at once; with a channel of
their own and a group per person, each connect waited in the Redis pub/sub layer's one
queue of subscriptions, and resumes took seconds.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer

from deliberation.forum import actions
from deliberation.forum.hub import RoomHub
from deliberation.forum.protocol import CLOSE_FORBIDDEN, CLOSE_REMOVED
from tests.deliberation.forum.room_helpers import close_code, drain, join, receive, send
from tests.factories import ForumGroupFactory, PanelistFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


def in_memory_layer() -> InMemoryChannelLayer:
    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        pytest.skip("the layer's groups and channels are read from the in-memory layer")
    return layer


async def test_connecting_under_the_hub_subscribes_nothing_of_the_connections_own(forum):
    layer = in_memory_layer()
    await layer.flush()  # what earlier tests' connections left behind
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    # One group, the room's, holding one channel: the worker's hub. No group per person
    # or for whoever runs the room, and no channel per connection.
    assert set(layer.groups) == {f"room.{forum.room.pk}"}
    [hub_channel] = layer.groups[f"room.{forum.room.pk}"]
    assert hub_channel.startswith("roomhub.")
    assert set(layer.channels) <= {hub_channel}
    for communicator in (facilitator, alice, bob):
        await communicator.disconnect()


async def test_a_removal_closes_the_removed_persons_connections_and_no_one_elses(forum):
    facilitator = await join(forum.facilitator, forum.room.pk)
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    await send(facilitator, {"type": "remove", "user_id": forum.bob.pk, "reason": "abuse"})
    assert (await receive(bob, "removed"))["type"] == "removed"
    assert await close_code(bob) == CLOSE_REMOVED
    # Alice sees the moderation event, is told nothing meant for Bob, and stays.
    seen = [frame["type"] for frame in await drain(alice)]
    assert "moderation" in seen and "removed" not in seen
    await send(alice, {"type": "message", "text": "still here", "client_id": "a-1"})
    assert (await receive(alice, "ack"))["client_id"] == "a-1"
    for communicator in (facilitator, alice):
        await communicator.disconnect()


async def test_a_seat_moved_away_closes_that_persons_connections_and_no_one_elses(forum):
    deliberation = await database_sync_to_async(lambda: forum.group.session.deliberation)()
    await database_sync_to_async(PanelistFactory)(
        deliberation=deliberation, user=forum.alice, status="confirmed"
    )
    other = await database_sync_to_async(ForumGroupFactory)(session=forum.group.session)
    alice = await join(forum.alice, forum.room.pk)
    bob = await join(forum.bob, forum.room.pk)
    await database_sync_to_async(actions.do_move_member)(
        forum.group.session, user_id=forum.alice.pk, group_id=other.pk, actor=None
    )
    assert await close_code(alice) == CLOSE_FORBIDDEN
    await send(bob, {"type": "message", "text": "still here", "client_id": "b-1"})
    assert (await receive(bob, "ack"))["client_id"] == "b-1"
    await bob.disconnect()


class SlowToSubscribe(InMemoryChannelLayer):
    """An in-memory layer whose subscription to one group waits until released."""

    def __init__(self, slow_group: str) -> None:
        super().__init__()
        self.slow_group = slow_group
        self.release = asyncio.Event()

    async def group_add(self, group: str, channel: str) -> None:
        if group == self.slow_group:
            await self.release.wait()
        await super().group_add(group, channel)


class Listener:
    async def hub_deliver(self, message: dict) -> None:
        pass


async def test_joining_a_subscribed_room_never_waits_for_another_rooms_subscription():
    layer = SlowToSubscribe("room.2")
    hub = RoomHub(layer)
    await hub.join(1, Listener())
    slow = asyncio.ensure_future(hub.join(2, Listener()))
    await asyncio.sleep(0.05)
    assert not slow.done()
    # Room 1 is subscribed already: a join there completes while room 2's still waits.
    await asyncio.wait_for(hub.join(1, Listener()), 0.5)
    assert len(hub.rooms[1]) == 2 and not slow.done()
    layer.release.set()
    await asyncio.wait_for(slow, 1)
    assert hub.subscribed == {1, 2}
    for room_id in (1, 2):
        for listener in list(hub.rooms[room_id]):
            await hub.leave(room_id, listener)
    assert hub.rooms == {} and hub.subscribed == set() and hub.channel is None
    assert layer.groups == {}
