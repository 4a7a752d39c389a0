"""Sliding-window counters in the shared cache, so every worker process counts together.

The window is approximated from two fixed buckets (this one and the previous one,
weighted by how much of it still overlaps the window), which keeps a burst that
straddles a bucket boundary within the limit.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``key``; False once the hits in the last ``window`` s exceed ``limit``."""
    now = time.time()
    index, offset = divmod(now, window)
    current = f"rate:{key}:{int(index)}"
    previous = f"rate:{key}:{int(index) - 1}"
    if cache.add(current, 1, timeout=2 * window + 1):
        count = 1
    else:
        try:
            count = cache.incr(current)
        except ValueError:
            cache.add(current, 1, timeout=2 * window + 1)
            count = 1
    earlier = cache.get(previous) or 0
    return earlier * (1 - offset / window) + count <= limit
