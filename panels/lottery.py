"""Public uniform lotteries over LEXIMIN panels, reproducible draws and replacements.

Following Flanigan, Kehne, Procaccia, "Fair Sortition Made Transparent" (NeurIPS 2021): the
LEXIMIN distribution is rounded to M panels with equal weight, so that the whole draw is fixed by
one public random number. Randomness is derived from SHA-256 and the PCG64 bit stream only (not
from numpy's distribution methods), so a draw can be reproduced exactly by anyone later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.selection import Problem, SelectionResult


class RoundingError(RuntimeError):
    """No uniform lottery within the promised distance of the LEXIMIN probabilities was found."""


class ReplacementError(ValueError):
    """No one left in the pool can replace a panelist without breaking a quota."""


@dataclass(frozen=True)
class Lottery:
    """M panels (count vectors over types, repeats allowed), each drawn with probability 1/M."""

    problem: Problem = field(repr=False)
    panels: np.ndarray  # (M, T)
    type_probabilities: np.ndarray  # (T,)
    leximin_probabilities: np.ndarray  # (T,)

    @property
    def size(self) -> int:
        return len(self.panels)

    @property
    def min_probability(self) -> float:
        return float(self.type_probabilities.min())

    @property
    def max_probability(self) -> float:
        return float(self.type_probabilities.max())

    @property
    def max_deviation(self) -> float:
        """Largest change of any person's probability from the LEXIMIN one."""
        return float(np.abs(self.type_probabilities - self.leximin_probabilities).max())


def round_to_lottery(result: SelectionResult, m: int = 1000, *, time_limit: float = 5.0) -> Lottery:
    """Round the LEXIMIN weights to multiples of 1/m.

    Each panel keeps floor(m * weight) copies; which panels get one extra copy is chosen by a
    small integer program that minimises the largest change of any type's probability, subject
    to every type keeping at least (LEXIMIN min - 1/m). The fractional point always satisfies
    these constraints; the guarantee is enforced, never assumed: RoundingError otherwise.
    """
    n_t = result.problem.type_sizes.astype(float)
    panels, weights = result.panels, result.weights
    target = result.type_probabilities * m  # probability in units of 1/m
    floor_ = np.floor(weights * m + 1e-9).astype(np.int64)
    rest = int(m - floor_.sum())
    frac = np.flatnonzero(weights * m - floor_ > 1e-9)
    contrib = panels / n_t  # (P, T): probability contributed by one copy, per type
    base = floor_ @ contrib
    guarantee = result.min_probability * m - 1.0
    copies = floor_.copy()
    if rest > 0:
        chosen = _choose_extra(contrib[frac], target - base, guarantee - base, rest, time_limit)
        copies[frac[chosen]] += 1
    probs = (copies @ contrib) / m
    if probs.min() < result.min_probability - 1.0 / m - 1e-12 or copies.sum() != m:
        raise RoundingError(
            f"rounded minimum {probs.min():.6f} is below {result.min_probability - 1 / m:.6f}"
        )
    order = np.lexsort(panels.T[::-1])
    lottery_panels = np.repeat(panels[order], copies[order], axis=0)
    return Lottery(result.problem, lottery_panels, probs, result.type_probabilities)


def _choose_extra(
    c: np.ndarray, need: np.ndarray, floor_need: np.ndarray, rest: int, time_limit: float
) -> np.ndarray:
    """Pick `rest` of the rows of c (0/1 each) to approximate `need` per column (type).

    Minimises D with |c^T d - need| <= D and c^T d >= floor_need (one-sided guarantee).
    """
    nf, nt = c.shape
    ct = sparse.csr_matrix(c.T)
    col = sparse.csr_matrix(np.ones((nt, 1)))
    zero = sparse.csr_matrix((1, 1))
    cons = [
        LinearConstraint(sparse.hstack([ct, -col]), -np.inf, need),
        LinearConstraint(sparse.hstack([ct, col]), need, np.inf),
        LinearConstraint(sparse.hstack([ct, 0 * col]), floor_need + 1e-9, np.inf),
        LinearConstraint(sparse.hstack([sparse.csr_matrix(np.ones((1, nf))), zero]), rest, rest),
    ]
    res = milp(
        np.r_[np.zeros(nf), 1.0],
        integrality=np.r_[np.ones(nf), 0.0],
        bounds=Bounds(0, np.r_[np.ones(nf), np.inf]),
        constraints=cons,
        options={"time_limit": time_limit, "mip_rel_gap": 0.05},
    )
    if res.x is None:
        raise RoundingError(f"no rounding keeps every probability within 1/M: {res.message}")
    return np.round(res.x[:nf]) > 0.5


def _rng(label: str, number: int) -> np.random.PCG64:
    digest = hashlib.sha256(f"gongnon:{label}:{number}".encode()).digest()
    return np.random.PCG64(int.from_bytes(digest, "big"))


def _below(bits: np.random.PCG64, n: int) -> int:
    """Uniform integer in [0, n) by rejection from raw 64-bit outputs (no modulo bias)."""
    limit = (1 << 64) // n * n
    while True:
        r = int(bits.random_raw())
        if r < limit:
            return r % n


def _pick(bits: np.random.PCG64, items: Sequence[str], count: int) -> list[str]:
    """First `count` items of a Fisher-Yates shuffle of `items`."""
    pool = list(items)
    for i in range(count):
        j = i + _below(bits, len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


def draw(lottery: Lottery, public_number: int) -> list[str]:
    """The panel chosen by a public random number: panel index = number mod M, then the
    persons within each type are picked by a PRNG seeded from SHA-256 of the number."""
    if public_number < 0:
        raise ValueError("the public number must be non-negative")
    x = lottery.panels[public_number % lottery.size]
    bits = _rng("draw", public_number)
    chosen: list[str] = []
    for t, ids in enumerate(lottery.problem.members):
        chosen.extend(_pick(bits, ids, int(x[t])))
    return sorted(chosen)


def replacement(
    problem: Problem,
    panel: Iterable[str],
    dropped: str,
    seed: int,
    exclude: Iterable[str] = (),
) -> str:
    """A volunteer to replace `dropped`, keeping every quota; deterministic given the seed.

    Someone of the same type is preferred (the panel's make-up is then unchanged); otherwise
    anyone whose type keeps all quotas is eligible. `exclude` holds people who have declined.
    """
    panel = set(panel)
    if dropped not in panel:
        raise ValueError(f"'{dropped}' is not on the panel")
    type_of = problem.type_index()
    unavailable = panel | set(exclude) | {dropped}
    counts = np.zeros(len(problem.members), dtype=np.int64)
    for pid in panel - {dropped}:
        counts[type_of[pid]] += 1
    t_old = type_of[dropped]
    same = [p for p in problem.members[t_old] if p not in unavailable]
    if same:
        candidates = same
    else:
        a, lo, hi = problem.quota_matrix()
        after = (a @ counts)[:, None] + a
        ok = np.all((after >= lo[:, None]) & (after <= hi[:, None]), axis=0)
        candidates = [
            p for t in np.flatnonzero(ok) for p in problem.members[t] if p not in unavailable
        ]
    if not candidates:
        raise ReplacementError(
            f"No volunteer left in the pool can replace '{dropped}' without breaking a quota."
        )
    return _pick(_rng("replacement", seed), candidates, 1)[0]
