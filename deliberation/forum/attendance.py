"""Time present in a room, from a participant's connections: overlaps count once.

A phone that drops and reconnects, or a second tab, opens several connections whose
intervals overlap; summed, they would inflate attendance (and fees paid per session).
Plain Python, no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

Interval = tuple[datetime.datetime, datetime.datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of the intervals, as disjoint intervals in time order."""
    merged: list[list[datetime.datetime]] = []
    for start, end in sorted((s, e) for s, e in intervals if e >= s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def seconds_present(intervals: Iterable[Interval]) -> int:
    """Seconds covered by at least one of the intervals."""
    return round(sum((end - start).total_seconds() for start, end in merge_intervals(intervals)))
