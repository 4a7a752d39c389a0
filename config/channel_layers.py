"""The channel layer's settings: in memory without Redis, else channels-redis (two kinds)."""

from __future__ import annotations

from typing import Any

# channels-redis waits for a message with BRPOP for up to 5 seconds; redis-py closes a
# connection that reads nothing for its socket timeout (5 seconds in redis-py 8), so an
# idle socket's reader failed every few seconds and the socket was closed with 1011. The
# timeout must outlast the longest blocking read; connecting still fails fast.
SOCKET_TIMEOUT_SECONDS = 30
CONNECT_TIMEOUT_SECONDS = 5


def redis_host(url: str) -> dict[str, Any]:
    return {
        "address": url,
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_keepalive": True,
        "health_check_interval": 15,
    }


def channel_layers_for(redis_url: str | None, kind: str, prefix: str) -> dict[str, Any]:
    """CHANNEL_LAYERS for a Redis URL (or None: the in-memory layer) and a layer kind."""
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if kind == "redis-pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis_host(redis_url)], "prefix": prefix},
            }
        }
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [redis_host(redis_url)],
                "prefix": prefix,
                "capacity": 1500,
                "expiry": 60,
            },
        }
    }
