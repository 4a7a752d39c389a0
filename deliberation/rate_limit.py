"""Sliding-window counters in the shared cache, so every worker process counts together.

The window is approximated from two fixed buckets (this one and the previous one,
weighted by how much of it still overlaps the window), which keeps a burst that
straddles a bucket boundary within the limit. On Redis every limit of one request is
counted in one pipelined round trip; other cache backends go through the portable cache
API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` hits of ``key`` in any ``window`` seconds."""

    key: str
    limit: int
    window: int

    def buckets(self, now: float) -> tuple[str, str, float]:
        index, offset = divmod(now, self.window)
        current = f"rate:{self.key}:{int(index)}"
        previous = f"rate:{self.key}:{int(index) - 1}"
        return current, previous, offset / self.window


def _hit_redis(backend: RedisCache, pairs: list[tuple[str, str, int]]) -> list[tuple[int, int]]:
    keys = [
        (backend.make_and_validate_key(current), backend.make_and_validate_key(previous), ttl)
        for current, previous, ttl in pairs
    ]
    pipe = backend._cache.get_client(keys[0][0], write=True).pipeline(transaction=False)
    for current, previous, ttl in keys:
        pipe.incr(current)
        pipe.expire(current, ttl)
        pipe.get(previous)
    replies = pipe.execute()
    return [(int(replies[3 * i]), int(replies[3 * i + 2] or 0)) for i in range(len(keys))]


def _hit_portable(backend, pairs: list[tuple[str, str, int]]) -> list[tuple[int, int]]:
    counts = []
    for current, previous, ttl in pairs:
        if backend.add(current, 1, timeout=ttl):
            count = 1
        else:
            try:
                count = backend.incr(current)
            except ValueError:
                backend.add(current, 1, timeout=ttl)
                count = 1
        counts.append((count, int(backend.get(previous) or 0)))
    return counts


def allow_all(*limits: Limit) -> bool:
    """Count one hit against every limit; False when any of them is exceeded."""
    now = time.time()
    buckets = [limit.buckets(now) for limit in limits]
    backend = caches["default"]
    hit = _hit_redis if isinstance(backend, RedisCache) else _hit_portable
    pairs = [
        (current, previous, 2 * limit.window + 1)
        for limit, (current, previous, _) in zip(limits, buckets, strict=True)
    ]
    counts = hit(backend, pairs)
    return all(
        earlier * (1 - elapsed) + count <= limit.limit
        for limit, (_, _, elapsed), (count, earlier) in zip(limits, buckets, counts, strict=True)
    )


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``key``; False once the hits in the last ``window`` s exceed ``limit``."""
    return allow_all(Limit(key, limit, window))


def refund(key: str, *, window: int) -> None:
    """Take back one hit of ``key`` counted in this window (a request that turned out to
    be a repeat, which must not use up the sender's allowance)."""
    current, _, _ = Limit(key, 0, window).buckets(time.time())
    backend = caches["default"]
    try:
        backend.decr(current)
    except ValueError:
        pass
