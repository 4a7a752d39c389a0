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

    Each panel keeps floor(m * weight) copies; which panels get one extra copy is chosen to keep
    the largest change of any type's probability small, subject to every type keeping at least
    (LEXIMIN min - 1/m): first by systematic sampling and a tabu swap search (fast); types still
    short are lifted by one-person swaps inside single lottery panels that keep every quota (so
    a few lottery panels may differ from the LEXIMIN support by one person); only if that fails
    does a small integer program choose the copies. The guarantee is enforced, never assumed:
    RoundingError otherwise.
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
    lowest = result.min_probability - 1.0 / m  # the promise: no one falls below this
    order = np.lexsort(panels.T[::-1])

    def lottery_of(copies: np.ndarray) -> np.ndarray:
        return np.repeat(panels[order], copies[order], axis=0)

    copies = floor_.copy()
    args = (contrib[frac], target - base, guarantee - base, rest)
    if rest > 0:
        copies[frac[_swap_search(*args, weights[frac] * m - floor_[frac])]] += 1
    lottery_panels = _edit_panels(result.problem, lottery_of(copies), lowest)
    if lottery_panels is None and rest > 0:
        copies = floor_.copy()
        copies[frac[_choose_extra(*args, time_limit)]] += 1
        lottery_panels = lottery_of(copies)
    if lottery_panels is None:
        lottery_panels = lottery_of(copies)
    probs = lottery_panels.sum(axis=0) / (n_t * m)
    if probs.min() < lowest - 1e-12 or len(lottery_panels) != m:
        raise RoundingError(f"rounded minimum {probs.min():.6f} is below {lowest:.6f}")
    return Lottery(result.problem, lottery_panels, probs, result.type_probabilities)


def _edit_panels(problem: Problem, panels: np.ndarray, lowest: float) -> np.ndarray | None:
    """Lift types left below `lowest` by one-person swaps inside lottery panels.

    A person of a type with room to spare is replaced, in one panel, by a person of the short
    type, where the panel keeps every quota; neighbouring types (one feature apart) are tried
    first. Returns the edited panels, or None if some type stays short.
    """
    n_t = problem.type_sizes
    m = len(panels)
    a, lo, hi = problem.quota_matrix()
    panels = panels.copy()
    total = panels.sum(axis=0)
    cnt = panels @ a.T  # (M, Q) quota counts per panel
    floor_count = lowest * n_t * m - 1e-12 * n_t * m  # total copies each type needs
    profiles = np.array(problem.profiles, dtype=object)
    for _ in range(10 * len(n_t) + 10):
        short = floor_count - total
        t = int(np.argmax(short))
        if short[t] <= 0:
            return panels
        spare = np.flatnonzero(total - 1 >= floor_count)
        near = (profiles[spare] != profiles[t]).sum(axis=1) == 1 if len(spare) else spare
        found = None
        for donors in (spare[near], spare):
            if not len(donors):
                continue
            delta = a[:, t][:, None] - a[:, donors]  # (Q, U)
            after = cnt[:, :, None] + delta[None, :, :]  # (M, Q, U)
            ok = np.all((after >= lo[None, :, None]) & (after <= hi[None, :, None]), axis=1)
            ok &= (panels[:, donors] > 0) & (panels[:, t] < n_t[t])[:, None]
            if ok.any():
                room = np.where(ok, (total[donors] - floor_count[donors])[None, :], -np.inf)
                i, j = np.unravel_index(int(np.argmax(room)), room.shape)
                found = (i, donors[j])
                break
        if found is None:
            return None
        i, u = found
        panels[i, u] -= 1
        panels[i, t] += 1
        total[u] -= 1
        total[t] += 1
        cnt[i] += a[:, t] - a[:, u]
    return None


def _swap_search(
    c: np.ndarray,
    need: np.ndarray,
    floor_need: np.ndarray,
    rest: int,
    frac: np.ndarray,
    max_steps: int = 60,
    tenure: int = 7,
) -> np.ndarray:
    """Pick `rest` rows of c like `_choose_extra`, heuristically (the guarantee may be missed:
    the caller checks and repairs).

    Starts from systematic sampling of the fractional copies, then a tabu search over swaps
    (one chosen row out, one unchosen row in) until every type meets `floor_need`, scoring the
    total shortfall and, lightly, squared shortfall against `need`; then greedy swaps that
    lower the largest deviation while keeping the guarantee, until it is at most 1 (1/m).
    Deterministic: the random stream is fixed.
    """
    rng = np.random.default_rng(0)
    nf = len(c)
    order = rng.permutation(nf)
    cum = np.cumsum(frac[order])
    u = rng.random()
    on = np.zeros(nf, dtype=bool)
    on[order] = (np.floor(cum + u + 1e-9) - np.floor(np.r_[0.0, cum[:-1]] + u + 1e-9)) > 0
    if on.sum() != rest:  # fractional parts sum to rest up to rounding; fix the count
        on[:] = False
        on[np.argsort(-frac, kind="stable")[:rest]] = True
    total = on @ c
    tabu = np.full(nf, -1)
    best_on, best_short = on.copy(), np.inf
    for step in range(max_steps):
        shortfall = np.maximum(floor_need - total, 0.0).sum()
        if shortfall < best_short:
            best_on, best_short = on.copy(), shortfall
        if shortfall <= 1e-9:
            break
        drop = np.flatnonzero(on & (tabu < step))
        add = np.flatnonzero(~on & (tabu < step))
        if not len(drop) or not len(add):
            break
        # one swap moves a total by at most 1, so only types within 2 of the floor matter
        rel = np.flatnonzero(total - floor_need < 2.0)
        best_score: float = np.inf
        best = (0, 0)
        block = max(1, 2_000_000 // max(1, len(drop) * len(rel)))
        for lo in range(0, len(add), block):
            a_idx = add[lo : lo + block]
            trial = total[rel] + (c[a_idx][:, None, rel] - c[drop][None, :, rel])
            score = 1e3 * np.maximum(floor_need[rel] - trial, 0.0).sum(axis=-1)
            score += 1e-3 * (np.maximum(need[rel] - trial, 0.0) ** 2).sum(axis=-1)
            score += 1e-6 * rng.random(score.shape)
            i, j = np.unravel_index(int(np.argmin(score)), score.shape)
            if score[i, j] < best_score:
                best_score, best = score[i, j], (a_idx[i], drop[j])
        added, dropped = best
        on[added], on[dropped] = True, False
        tabu[added] = tabu[dropped] = step + tenure
        total = total + c[added] - c[dropped]
    on = best_on
    total = on @ c  # fresh sum, no drift
    if not np.all(total >= floor_need - 1e-9):
        return on
    dev = np.abs(total - need).max()
    width = 24
    for _ in range(2000):
        if dev <= 1.0:
            break
        gap = total - need
        t = int(np.argmax(np.abs(gap)))
        sign = -1.0 if gap[t] < 0 else 1.0  # -1: type t needs more, so add rows rich in t
        on_idx, off_idx = np.flatnonzero(on), np.flatnonzero(~on)
        if not len(on_idx) or not len(off_idx):
            break
        drop = on_idx[np.argsort(sign * -c[on_idx, t], kind="stable")[:width]]
        add = off_idx[np.argsort(sign * c[off_idx, t], kind="stable")[:width]]
        trial = total + (c[add][:, None, :] - c[drop][None, :, :])  # (add, drop, T)
        ok = np.all(trial >= floor_need - 1e-9, axis=-1)
        t_dev = np.where(ok, np.abs(trial - need).max(axis=-1), np.inf)
        i, j = np.unravel_index(int(np.argmin(t_dev)), t_dev.shape)
        if t_dev[i, j] >= dev - 1e-12:
            break
        on[add[i]], on[drop[j]] = True, False
        total, dev = trial[i, j], t_dev[i, j]
    return on


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
