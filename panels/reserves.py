"""The reserve list of a draw: an ordered list of volunteers to replace drop-outs.

Drawn by the same public number as the panel, so anyone can recompute it from the audit
record. Plain numpy, no Django. The method (docs/reserves.md):

1. Every volunteer not drawn gets a priority, SHA-256 of the public number and their id:
   within each type (the volunteers alike on every quota feature) the order is a uniformly
   random permutation fixed by the number, as in the draw.
2. Coverage first: for each type on the panel, a drop-out of that type must find a reserve
   whose swap keeps every quota, whenever anyone in the pool could. Greedily, the type that
   covers the most drop-out types not yet covered contributes its first member (ties: the
   earlier priority).
3. Then the list is filled per type in proportion to the panel's seats of that type
   (D'Hondt: the next reserve goes to the type with the most seats per reserve so far), each
   type giving its members in priority order; when no type on the panel has anyone left,
   the remaining volunteers follow in priority order.

The list for N reserves is the first N of the list for any larger N. Invariants (tests):
reserves are disjoint from the panel; the order depends only on the inputs, the panel and
the public number; with at least `Reserves.covering` reserves, any single drop-out's next
reserve (`next_reserve`) keeps every quota whenever any volunteer in the pool could.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from panels.lottery import ReplacementError
from panels.selection import Problem


@dataclass(frozen=True)
class Reserves:
    """The ordered reserve list and how much of it is needed to cover every drop-out."""

    order: tuple[str, ...]
    # The first `covering` reserves give every type on the panel a quota-keeping reserve
    # (where the pool has one); fewer reserves than this leave `uncovered` types without.
    covering: int
    uncovered: tuple[tuple[str, ...], ...]


def priority(public_number: int, record_id: str) -> bytes:
    """A volunteer's reserve priority: smaller comes first."""
    return hashlib.sha256(f"gongnon:reserve:{public_number}:{record_id}".encode()).digest()


def _counts(problem: Problem, ids: Iterable[str]) -> np.ndarray:
    type_of = problem.type_index()
    x = np.zeros(len(problem.members), dtype=np.int64)
    for pid in ids:
        x[type_of[pid]] += 1
    return x


def swap_ok(problem: Problem, counts: np.ndarray) -> np.ndarray:
    """ok[t, u]: replacing one panelist of type t by one of type u keeps every quota,
    for a panel with these counts per type."""
    a, lo, hi = problem.quota_matrix()
    base = a @ counts  # (Q,)
    after = base[:, None, None] - a[:, :, None] + a[:, None, :]  # (Q, T_out, T_in)
    return np.all((after >= lo[:, None, None]) & (after <= hi[:, None, None]), axis=0)


def draw_reserves(
    problem: Problem, panel: Sequence[str], public_number: int, count: int
) -> Reserves:
    """The first `count` reserves for the drawn `panel` (see the module's docstring)."""
    if public_number < 0:
        raise ValueError("the public number must be non-negative")
    if count < 0:
        raise ValueError("the number of reserves must be non-negative")
    drawn = set(panel)
    type_of = problem.type_index()
    seats = _counts(problem, drawn)
    # Each type's volunteers not drawn, with their priorities, in priority order.
    queues = [
        sorted((priority(public_number, p), p) for p in ids if p not in drawn)
        for ids in problem.members
    ]
    heads = [0] * len(queues)

    def head(u: int) -> bytes:
        return queues[u][heads[u]][0]

    ok = swap_ok(problem, seats)
    has_pool = np.array([len(q) > 0 for q in queues])
    on_panel = seats > 0
    # Drop-out types someone in the pool could replace, and who could.
    need = on_panel & (ok[:, has_pool].any(axis=1) if has_pool.any() else False)
    order: list[str] = []

    def take(u: int) -> None:
        order.append(queues[u][heads[u]][1])
        heads[u] += 1

    uncovered = need.copy()
    while uncovered.any():
        open_ = np.array([heads[u] < len(queues[u]) for u in range(len(queues))])
        gain = (ok[uncovered][:, open_]).sum(axis=0)
        candidates = np.flatnonzero(open_)[gain == gain.max()]
        u = int(min(candidates, key=head))
        take(u)
        uncovered &= ~ok[:, u]
    covering = len(order)
    reserved = np.zeros(len(queues), dtype=np.int64)
    for pid in order:
        reserved[type_of[pid]] += 1
    while len(order) < count:
        left = [int(u) for u in np.flatnonzero(on_panel) if heads[u] < len(queues[u])]
        if left:
            # D'Hondt: most seats per reserve; ties by the earlier priority
            u = min(
                left,
                key=lambda u: (-seats[u] / (reserved[u] + 1), head(u)),
            )
        else:
            rest = [u for u in range(len(queues)) if heads[u] < len(queues[u])]
            if not rest:
                break
            u = min(rest, key=head)
        reserved[u] += 1
        take(u)
    order = order[:count]
    missed = need & ~ok[:, sorted({type_of[p] for p in order})].any(axis=1)
    return Reserves(
        tuple(order),
        covering,
        tuple(problem.profiles[t] for t in np.flatnonzero(missed)),
    )


def next_reserve(
    problem: Problem,
    current: Iterable[str],
    reserves: Sequence[str],
    dropped: str,
    unavailable: Iterable[str] = (),
) -> str:
    """The reserve who takes `dropped`'s seat on the `current` panel.

    The first reserve of the drop-out's own type (the panel's make-up is then unchanged);
    otherwise the first reserve in the list whose swap keeps every quota. Reserves on the
    panel, or `unavailable` (seated or dropped before), are passed over.
    """
    current = list(current)
    if dropped not in current:
        raise ValueError(f"'{dropped}' is not on the panel")
    skip = set(current) | set(unavailable)
    waiting = [r for r in reserves if r not in skip]
    type_of = problem.type_index()
    t = type_of[dropped]
    same = next((r for r in waiting if type_of[r] == t), None)
    if same is not None:
        return same
    ok = swap_ok(problem, _counts(problem, current))[t]
    found = next((r for r in waiting if ok[type_of[r]]), None)
    if found is None:
        raise ReplacementError(f"No reserve left can replace '{dropped}' without breaking a quota.")
    return found


def replace_batch(
    problem: Problem,
    current: Sequence[str],
    reserves: Sequence[str],
    dropped: Sequence[str],
    unavailable: Iterable[str] = (),
) -> list[tuple[str, str | None]]:
    """Replace the drop-outs one after another, in the given order, from the reserves.

    Each replacement is chosen on the panel as the earlier ones left it; a drop-out no
    reserve can replace keeps its place in the count (its seat waits) and gets None.
    """
    panel = list(current)
    used = set(unavailable)
    out: list[tuple[str, str | None]] = []
    for d in dropped:
        try:
            r = next_reserve(problem, panel, reserves, d, used)
        except ReplacementError:
            out.append((d, None))
            continue
        used |= {d, r}
        panel = [p for p in panel if p != d] + [r]
        out.append((d, r))
    return out
