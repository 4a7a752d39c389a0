"""Data-quality flags on survey responses, as survey practice uses them.

Plain Python: arrays in, one list of flags per response out.

- ``address``: the response shares its network address with at least ``address_threshold``
  completes of the same wave (a household or an office shares one address too, so this is
  a flag for the organizer to judge, not an exclusion). Addresses arrive hashed.
- ``speeder``: the interview took less than the minimum duration — the wave's own
  minimum in seconds when the organizer set one, otherwise a third of the median
  interview time of the wave's completes (the rule used by many panel providers). A wave
  with fewer than ``MIN_COMPLETES_FOR_MEDIAN`` timed completes has no median rule yet.
- ``straightlining``: the same answer on every item of a grid with at least
  ``GRID_MIN_ITEMS`` items, all answered.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence

ADDRESS = "address"
SPEEDER = "speeder"
STRAIGHTLINING = "straightlining"
FLAGS = (ADDRESS, SPEEDER, STRAIGHTLINING)

GRID_MIN_ITEMS = 4
MEDIAN_FRACTION = 1 / 3
MIN_COMPLETES_FOR_MEDIAN = 10


def address_hash(address: str, secret: str, scope: str) -> str:
    """A keyed hash of a network address: equal for one address within one scope (a
    wave), unreadable without the secret, so the address itself is never stored."""
    message = f"{scope}\x00{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def speed_threshold(
    durations: Sequence[float | None], minimum_seconds: float | None = None
) -> float | None:
    """The minimum duration below which a complete is a speeder; None when unknown."""
    if minimum_seconds is not None:
        return float(minimum_seconds)
    timed = [float(d) for d in durations if d is not None and not math.isnan(float(d))]
    if len(timed) < MIN_COMPLETES_FOR_MEDIAN:
        return None
    return statistics.median(timed) * MEDIAN_FRACTION


def speeders(durations: Sequence[float | None], minimum_seconds: float | None = None) -> list[bool]:
    threshold = speed_threshold(durations, minimum_seconds)
    return [
        threshold is not None and d is not None and not math.isnan(float(d)) and d < threshold
        for d in durations
    ]


def shared_addresses(hashes: Sequence[str], threshold: int) -> list[bool]:
    """True where the (non-empty) address hash occurs at least threshold times."""
    counts = Counter(h for h in hashes if h)
    return [bool(h) and counts[h] >= threshold for h in hashes]


def straightlined(grids: Mapping[str, Sequence[float | None]]) -> bool:
    """Whether any grid of one response (grid code -> its items' answers) is straight."""
    for answers in grids.values():
        if len(answers) < GRID_MIN_ITEMS:
            continue
        if any(a is None or math.isnan(float(a)) for a in answers):
            continue
        if len(set(answers)) == 1:
            return True
    return False


def flags(
    *,
    durations: Sequence[float | None],
    address_hashes: Sequence[str],
    grids: Sequence[Mapping[str, Sequence[float | None]]],
    minimum_seconds: float | None = None,
    address_threshold: int = 3,
) -> list[list[str]]:
    """Every response's flags, in FLAGS order; the three arrays run over the same
    responses (a wave's completes)."""
    if not len(durations) == len(address_hashes) == len(grids):
        raise ValueError("durations, address_hashes and grids must have the same length")
    fast = speeders(durations, minimum_seconds)
    shared = shared_addresses(address_hashes, address_threshold)
    result = []
    for k, grid in enumerate(grids):
        raised = []
        if shared[k]:
            raised.append(ADDRESS)
        if fast[k]:
            raised.append(SPEEDER)
        if straightlined(grid):
            raised.append(STRAIGHTLINING)
        result.append(raised)
    return result


def grid_answers(
    grid_items: Mapping[str, Sequence[str]], values: Mapping[str, object]
) -> dict[str, list[float | None]]:
    """One response's answers per grid (grid code -> its item codes), None for a skip."""
    result: dict[str, list[float | None]] = {}
    for grid, item_codes in grid_items.items():
        answers: list[float | None] = []
        for item in item_codes:
            value = values.get(item)
            answers.append(float(value) if isinstance(value, int | float) else None)
        result[grid] = answers
    return result
