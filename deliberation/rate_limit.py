"""Sliding-window counters in the shared cache, so every worker process counts together.

The window is approximated from two fixed buckets (this one and the previous one,
weighted by how much of it still overlaps the window), which keeps a burst that
straddles a bucket boundary within the limit. On Redis the count is one pipelined
round trip; other cache backends go through the portable cache API.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def _hit_redis(backend: RedisCache, current: str, previous: str, ttl: int) -> tuple[int, int]:
    current_key = backend.make_and_validate_key(current)
    previous_key = backend.make_and_validate_key(previous)
    pipe = backend._cache.get_client(current_key, write=True).pipeline(transaction=False)
    pipe.incr(current_key)
    pipe.expire(current_key, ttl)
    pipe.get(previous_key)
    count, _, earlier = pipe.execute()
    return int(count), int(earlier or 0)


def _hit_portable(backend, current: str, previous: str, ttl: int) -> tuple[int, int]:
    if backend.add(current, 1, timeout=ttl):
        count = 1
    else:
        try:
            count = backend.incr(current)
        except ValueError:
            backend.add(current, 1, timeout=ttl)
            count = 1
    return count, int(backend.get(previous) or 0)


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``key``; False once the hits in the last ``window`` s exceed ``limit``."""
    now = time.time()
    index, offset = divmod(now, window)
    current = f"rate:{key}:{int(index)}"
    previous = f"rate:{key}:{int(index) - 1}"
    backend = caches["default"]
    hit = _hit_redis if isinstance(backend, RedisCache) else _hit_portable
    count, earlier = hit(backend, current, previous, 2 * window + 1)
    return earlier * (1 - offset / window) + count <= limit
