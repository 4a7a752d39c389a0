"""A room socket that only listens stays open on every channel layer (a plenary of listeners)."""

from __future__ import annotations

import asyncio
import os

import pytest
from django.conf import settings as django_settings

from config.channel_layers import channel_layers_for
from config.environment import redis_url
from tests.deliberation.forum.room_helpers import join, receive, send

IDLE_SECONDS = 30

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
]


@pytest.mark.parametrize("layer", ["redis", "redis-pubsub"])
async def test_an_idle_socket_stays_open_and_answers_after_thirty_seconds(forum, settings, layer):
    settings.CHANNEL_LAYERS = channel_layers_for(redis_url("REDIS_URL"), layer, prefix="idle")
    assert django_settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith(
        "RedisChannelLayer" if layer == "redis" else "RedisPubSubChannelLayer"
    )
    alice = await join(forum.alice, forum.room.pk)
    await asyncio.sleep(IDLE_SECONDS)
    await send(alice, {"type": "ping", "client_id": "still-there"})
    assert (await receive(alice, "pong"))["client_id"] == "still-there"
    await alice.disconnect()
