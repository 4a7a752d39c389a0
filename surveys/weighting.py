"""Survey weighting: post-stratification, raking (IPF) with trimming, and Kish diagnostics.

Pure computation on arrays: no Django import, so it can be tested and benchmarked on its own
and wrapped by views and commands later.

Why aggregate first: every respondent in the same cross-classified cell (and with the same
base weight) ends up with the same weight, so raking runs on the table of cell totals (a few
dozen numbers) instead of on every row, and the weights are broadcast back to rows at the
end. A poll of a million rows is raked in milliseconds.

Conventions
-----------
* Weights are returned normalised to mean 1 (they sum to the number of respondents).
* Margins are shares ``{variable: {category: share}}`` summing to 1 (tolerance 1e-6).
* The margin error is the absolute difference between the weighted share of a category and
  its target share; raking has converged when the largest one is at most ``tol``.
* Kish design effect ``deff = 1 + CV^2 = n * sum(w^2) / sum(w)^2`` (CV with ddof=0) and
  effective sample size ``n_eff = sum(w)^2 / sum(w^2) = n / deff``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as _sps

__all__ = [
    "ConvergenceError",
    "ProportionEstimate",
    "TrimmingInfo",
    "WeightingError",
    "WeightingResult",
    "kish_design_effect",
    "kish_effective_n",
    "margin_of_error",
    "poststratify",
    "rake",
    "weighted_proportion",
    "weighted_proportions",
]

SHARE_SUM_TOLERANCE = 1e-6


class WeightingError(ValueError):
    """Bad input to a weighting function; the message names the variable and category."""


class ConvergenceError(WeightingError):
    """Raking did not converge; ``result`` holds the best-effort result for inspection."""

    def __init__(self, message: str, result: WeightingResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class TrimmingInfo:
    """What trimming did: the cap (a multiple of the mean weight) and how many rows it hit."""

    cap: float | None
    n_trimmed: int = 0
    trimmed_share: float = 0.0
    max_weight_untrimmed: float = float("nan")
    iterations: int = 0


@dataclass(frozen=True)
class WeightingResult:
    """Weights (mean 1) with the diagnostics an analyst reports next to them."""

    weights: NDArray[np.float64]
    method: str
    iterations: int
    converged: bool
    max_margin_error: float
    margin_errors: dict[str, dict[Hashable, float]]
    design_effect: float
    effective_n: float
    trimming: TrimmingInfo = field(default_factory=lambda: TrimmingInfo(cap=None))

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])


# --------------------------------------------------------------------------------------------
# Kish diagnostics and margins of error
# --------------------------------------------------------------------------------------------


def _as_weights(weights: ArrayLike) -> NDArray[np.float64]:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0:
        raise WeightingError("weights must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise WeightingError("weights must be finite and non-negative")
    if not np.any(w > 0):
        raise WeightingError("weights must not all be zero")
    return w


def kish_effective_n(weights: ArrayLike) -> float:
    """Kish effective sample size (sum w)^2 / sum w^2: the n an unweighted sample would need."""
    w = _as_weights(weights)
    return float(w.sum() ** 2 / np.dot(w, w))


def kish_design_effect(weights: ArrayLike) -> float:
    """Kish design effect 1 + CV^2 (ddof=0) = n / n_eff: the variance inflation from weighting."""
    w = _as_weights(weights)
    return float(w.size * np.dot(w, w) / w.sum() ** 2)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise WeightingError(f"confidence must be between 0 and 1, got {confidence}")
    return float(_sps.norm.ppf(0.5 + confidence / 2))


def margin_of_error(n_eff: float, p: float = 0.5, confidence: float = 0.95) -> float:
    """Margin of error z * sqrt(p(1-p)/n_eff); p=0.5 gives the conservative figure polls quote."""
    if not n_eff > 0:
        raise WeightingError(f"effective sample size must be positive, got {n_eff}")
    if not 0 <= p <= 1:
        raise WeightingError(f"proportion must be between 0 and 1, got {p}")
    return _z(confidence) * math.sqrt(p * (1 - p) / n_eff)


@dataclass(frozen=True)
class ProportionEstimate:
    """A weighted proportion with its Wald CI computed from the Kish effective sample size."""

    estimate: float
    n: int
    effective_n: float
    margin_of_error: float
    ci_low: float
    ci_high: float
    confidence: float


def weighted_proportion(
    indicator: ArrayLike, weights: ArrayLike | None = None, confidence: float = 0.95
) -> ProportionEstimate:
    """Weighted share of true values, with a CI that accounts for the weighting (via n_eff).

    The CI is Wald, p +/- z sqrt(p(1-p)/n_eff), clipped to [0, 1].
    """
    x = np.asarray(indicator)
    if x.ndim != 1 or x.size == 0:
        raise WeightingError("indicator must be a non-empty one-dimensional array")
    x = x.astype(bool)
    w = np.ones(x.size) if weights is None else _as_weights(weights)
    if w.size != x.size:
        raise WeightingError(f"indicator has {x.size} values but weights has {w.size}")
    p = float(w[x].sum() / w.sum())
    n_eff = kish_effective_n(w)
    moe = margin_of_error(n_eff, p, confidence)
    return ProportionEstimate(
        estimate=p,
        n=int(x.size),
        effective_n=n_eff,
        margin_of_error=moe,
        ci_low=max(0.0, p - moe),
        ci_high=min(1.0, p + moe),
        confidence=confidence,
    )


def weighted_proportions(
    labels: ArrayLike, weights: ArrayLike | None = None, confidence: float = 0.95
) -> dict[Hashable, ProportionEstimate]:
    """Weighted share of every category of ``labels`` (a weighted frequency table with CIs)."""
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.size == 0:
        raise WeightingError("labels must be a non-empty one-dimensional array")
    categories = list(dict.fromkeys(lab.tolist()))
    return {
        cat: weighted_proportion(lab == cat, weights, confidence)
        for cat in sorted(categories, key=_sort_key)
    }


def _sort_key(value: object) -> tuple[str, object]:
    return (type(value).__name__, value)


# --------------------------------------------------------------------------------------------
# Input handling: labels -> integer codes matching the margin categories
# --------------------------------------------------------------------------------------------


def _encode(name: str, values: ArrayLike, categories: Sequence[Hashable]) -> NDArray[np.integer]:
    """Map each respondent's label to the index of its category; raise on unknown labels."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise WeightingError(f"variable {name!r}: values must be one-dimensional")
    cats = list(categories)
    if arr.size == 0:
        return np.empty(0, dtype=np.intp)
    int_cats = all(
        isinstance(c, int | np.integer) and not isinstance(c, bool | np.bool_) for c in cats
    )
    if arr.dtype.kind in "iu" and int_cats:
        # Small integer codes: a lookup table is O(n) and far faster than sorting.
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * arr.size + 1024:
            # Small non-negative codes index the table directly, without a shift.
            base = 0 if lo >= 0 and hi <= 4 * arr.size + 1024 else lo
            small = np.int8 if len(cats) < 127 else np.intp
            lut = np.full(hi - base + 1, -1, dtype=small)
            for i, c in enumerate(cast(list[int], cats)):
                if base <= int(c) <= hi:
                    lut[int(c) - base] = i
            codes = cast(NDArray[np.integer], lut[arr if base == 0 else arr - base])
            _check_unknown(name, arr, codes)
            return codes
    if arr.dtype.kind == "O":
        index = {c: i for i, c in enumerate(cats)}
        codes = np.fromiter((index.get(v, -1) for v in arr.tolist()), np.intp, arr.size)
        _check_unknown(name, arr, codes)
        return codes
    uniq, inverse = np.unique(arr, return_inverse=True)
    index = {c: i for i, c in enumerate(cats)}
    lut = np.array([index.get(u, -1) for u in uniq.tolist()], dtype=np.intp)
    codes = cast(NDArray[np.integer], lut[inverse.reshape(-1)])
    _check_unknown(name, arr, codes)
    return codes


def _check_unknown(name: str, arr: np.ndarray, codes: NDArray[np.integer]) -> None:
    if codes.min() >= 0:
        return
    bad = codes < 0
    if bad.any():
        unknown = sorted({repr(v) for v in arr[bad][:1000].tolist()})
        shown = ", ".join(unknown[:5])
        raise WeightingError(
            f"variable {name!r}: {int(bad.sum())} respondent(s) have categories not in the "
            f"margins ({shown}{', ...' if len(unknown) > 5 else ''})"
        )


def _check_margins(
    margins: Mapping[str, Mapping[Hashable, float]],
) -> dict[str, tuple[list[Hashable], NDArray[np.float64]]]:
    if not margins:
        raise WeightingError("at least one margin is required")
    checked: dict[str, tuple[list[Hashable], NDArray[np.float64]]] = {}
    for name, dist in margins.items():
        if not dist:
            raise WeightingError(f"margin {name!r} has no categories")
        cats = list(dist.keys())
        shares = np.array([float(dist[c]) for c in cats], dtype=np.float64)
        for c, s in zip(cats, shares, strict=True):
            if not np.isfinite(s) or s < 0:
                raise WeightingError(f"margin {name!r}, category {c!r}: share {s} is invalid")
        total = float(shares.sum())
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise WeightingError(f"margin {name!r}: shares sum to {total:.8g}, not 1")
        checked[name] = (cats, shares / total)
    return checked


def _check_base(base_weights: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    if base_weights is None:
        return None
    b = np.asarray(base_weights, dtype=np.float64)
    if b.shape != (n,):
        raise WeightingError(f"base_weights must have one value per respondent ({n})")
    if not np.all(np.isfinite(b)) or np.any(b <= 0):
        raise WeightingError("base_weights must be finite and positive")
    return b


def _group_rows(
    codes: Sequence[NDArray[np.integer]],
    sizes: Sequence[int],
    base: NDArray[np.float64] | None,
) -> tuple[NDArray[np.intp], list[NDArray[np.intp]], NDArray[np.float64], NDArray[np.float64]]:
    """Group rows that must get the same weight: same cell on every variable, same base weight.

    Returns the group of each row, the category code of each group per variable, the number of
    rows in each group and the base weight of each group.
    """
    n = codes[0].size
    extra: NDArray[np.intp] | None = None
    base_levels: NDArray[np.float64] | None = None
    if base is not None:
        base_levels, extra = np.unique(base, return_inverse=True)
        extra = extra.reshape(-1)
        if base_levels.size == 1:
            extra = None
    all_codes = list(codes) + ([extra] if extra is not None else [])
    all_sizes = list(sizes) + (
        [int(base_levels.size)] if extra is not None and base_levels is not None else []
    )
    n_cells = math.prod(all_sizes)
    if n_cells < 2**62:
        combined = np.zeros(n, dtype=np.int64)
        for c, k in zip(all_codes, all_sizes, strict=True):
            combined *= k
            combined += c
        if n_cells <= max(4 * n, 1 << 20):
            counts_all = np.bincount(combined, minlength=n_cells)
            present = np.flatnonzero(counts_all)
            lut = np.full(n_cells, -1, dtype=np.intp)
            lut[present] = np.arange(present.size)
            group = lut[combined]
            counts = counts_all[present].astype(np.float64)
            keys = present.astype(np.int64)
        else:
            keys, group, counts_i = np.unique(combined, return_inverse=True, return_counts=True)
            group = group.reshape(-1)
            counts = counts_i.astype(np.float64)
        group_codes = []
        rem = keys.copy()
        for k in reversed(all_sizes):
            group_codes.append((rem % k).astype(np.intp))
            rem //= k
        group_codes.reverse()
    else:
        stacked = np.stack(all_codes, axis=1)
        rows, group, counts_i = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
        group = group.reshape(-1)
        counts = counts_i.astype(np.float64)
        group_codes = [rows[:, j].astype(np.intp) for j in range(rows.shape[1])]
    if extra is not None:
        assert base_levels is not None
        group_base = base_levels[group_codes.pop()]
    else:
        group_base = np.full(counts.size, 1.0 if base is None else float(base[0]))
    return group.astype(np.intp, copy=False), group_codes, counts, group_base


# --------------------------------------------------------------------------------------------
# Raking
# --------------------------------------------------------------------------------------------


def _normalise(w: NDArray[np.float64], counts: NDArray[np.float64]) -> NDArray[np.float64]:
    return w * (counts.sum() / np.dot(counts, w))


def _cap_weights(
    w: NDArray[np.float64], counts: NDArray[np.float64], cap: float
) -> tuple[NDArray[np.float64], bool]:
    """Clip group weights so that none exceeds ``cap`` times the (clipped) mean, then renormalise.

    Solves for the clip level exactly rather than clipping and renormalising in a loop: with
    the k largest groups clipped at level c, c = cap * mean requires
    c = cap * S_low / (N - cap * N_high).
    """
    total_n = counts.sum()
    mean = np.dot(counts, w) / total_n
    if w.max() <= cap * mean * (1 + 1e-12):
        return w, False
    order = np.argsort(-w, kind="stable")
    ws, cs = w[order], counts[order]
    n_high = np.cumsum(cs)
    s_low = np.dot(cs, ws) - np.cumsum(cs * ws)
    denom = total_n - cap * n_high
    level = np.full(ws.size, np.inf)
    ok = denom > 0
    level[ok] = cap * s_low[ok] / denom[ok]
    nxt = np.append(ws[1:], 0.0)
    valid = ok & (ws >= level) & (level >= nxt)
    if not valid.any():  # cap infeasible (cap * n_high >= N); clip as far as possible
        idx = int(np.flatnonzero(ok)[-1]) if ok.any() else 0
    else:
        idx = int(np.flatnonzero(valid)[0])
    c = level[idx] if np.isfinite(level[idx]) else ws[min(idx + 1, ws.size - 1)]
    clipped = np.minimum(w, c)
    return _normalise(clipped, counts), True


def _margin_errors(
    totals: NDArray[np.float64],
    group_codes: Sequence[NDArray[np.intp]],
    targets: Sequence[NDArray[np.float64]],
) -> list[NDArray[np.float64]]:
    s = totals.sum()
    return [
        np.abs(np.bincount(gc, weights=totals, minlength=t.size) / s - t)
        for gc, t in zip(group_codes, targets, strict=True)
    ]


def rake(
    data: Mapping[str, ArrayLike] | Sequence[ArrayLike],
    margins: Mapping[str, Mapping[Any, float]],
    *,
    base_weights: ArrayLike | None = None,
    cap: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    best_effort: bool = False,
) -> WeightingResult:
    """Rake (iterative proportional fitting) respondents to marginal shares on any variables.

    ``data`` maps each margin variable to one label per respondent (or is a list of label
    arrays in the order of ``margins``). ``cap`` (optional, > 1)
    trims weights to at most ``cap`` times the mean weight: raking runs to convergence, then
    alternates trimming and raking until the margins are met *and* no weight exceeds the cap.
    Raises :class:`ConvergenceError` (carrying the result) if ``max_iter`` sweeps do not reach
    ``tol``, unless ``best_effort`` is true.
    """
    checked = _check_margins(margins)
    if not isinstance(data, Mapping):
        arrays = list(data)
        if len(arrays) != len(checked):
            raise WeightingError(
                f"got {len(arrays)} label arrays for {len(checked)} margins {list(checked)}"
            )
        data = dict(zip(checked, arrays, strict=True))
    missing = [name for name in checked if name not in data]
    if missing:
        raise WeightingError(f"no respondent data for margin variable(s) {missing}")
    if cap is not None and not cap > 1:
        raise WeightingError(f"cap must be greater than 1 (a multiple of the mean), got {cap}")
    if not tol > 0 or max_iter < 1:
        raise WeightingError("tol must be positive and max_iter at least 1")
    names = list(checked)
    codes = [_encode(name, data[name], checked[name][0]) for name in names]
    n = codes[0].size
    if n == 0:
        raise WeightingError("there are no respondents to weight")
    for name, c in zip(names, codes, strict=True):
        if c.size != n:
            raise WeightingError(f"variable {name!r} has {c.size} values, expected {n}")
    base = _check_base(base_weights, n)
    sizes = [len(checked[name][0]) for name in names]
    targets = [checked[name][1] for name in names]

    group, group_codes, counts, group_base = _group_rows(codes, sizes, base)
    for name, gc, t, k in zip(names, group_codes, targets, sizes, strict=True):
        present = np.bincount(gc, weights=counts, minlength=k)
        empty = np.flatnonzero((present == 0) & (t > 0))
        if empty.size:
            cat = checked[name][0][int(empty[0])]
            raise WeightingError(
                f"margin {name!r}, category {cat!r}: target share {t[empty[0]]:.6g} but no "
                "respondents in that category"
            )

    w = _normalise(group_base.copy(), counts)  # per-row weight of each group, mean 1
    iterations = 0

    def sweep(w: NDArray[np.float64]) -> NDArray[np.float64]:
        for gc, t, k in zip(group_codes, targets, sizes, strict=True):
            totals = counts * w
            current = np.bincount(gc, weights=totals, minlength=k)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, t * totals.sum() / current, 1.0)
            w = w * factor[gc]
        return w

    def max_error(w: NDArray[np.float64]) -> float:
        return float(max(e.max() for e in _margin_errors(counts * w, group_codes, targets)))

    # Phase 1: plain raking.
    err = max_error(w)
    while err > tol and iterations < max_iter:
        w = _normalise(sweep(w), counts)
        iterations += 1
        err = max_error(w)
    converged = err <= tol
    max_untrimmed = float(w.max())

    # Phase 2: trimming, alternating cap and rake until both hold.
    trim_iterations = 0
    if cap is not None:
        w, clipped = _cap_weights(w, counts, cap)
        err = max_error(w)
        converged = err <= tol
        while not converged and iterations < max_iter:
            w = _normalise(sweep(w), counts)
            iterations += 1
            trim_iterations += 1
            w, clipped = _cap_weights(w, counts, cap)
            err = max_error(w)
            converged = err <= tol

    row_w = w[group]
    # Kish diagnostics from the groups (every row of a group has the same weight): exact, and
    # avoids two more passes over a million rows.
    sum_w, sum_w2 = float(np.dot(counts, w)), float(np.dot(counts, w * w))
    errors = _margin_errors(counts * w, group_codes, targets)
    margin_errors = {
        name: {cat: float(e) for cat, e in zip(checked[name][0], errs, strict=True)}
        for name, errs in zip(names, errors, strict=True)
    }
    trimming = TrimmingInfo(cap=cap, max_weight_untrimmed=max_untrimmed)
    if cap is not None:
        at_cap = w >= cap * (1 - 1e-9)
        n_trimmed = int(counts[at_cap].sum()) if max_untrimmed > cap * (1 + 1e-12) else 0
        trimming = TrimmingInfo(
            cap=cap,
            n_trimmed=n_trimmed,
            trimmed_share=n_trimmed / n,
            max_weight_untrimmed=max_untrimmed,
            iterations=trim_iterations,
        )
    result = WeightingResult(
        weights=row_w,
        method="raking",
        iterations=iterations,
        converged=converged,
        max_margin_error=err,
        margin_errors=margin_errors,
        design_effect=n * sum_w2 / sum_w**2,
        effective_n=sum_w**2 / sum_w2,
        trimming=trimming,
    )
    if not converged and not best_effort:
        worst_name, worst_cat, worst = max(
            ((nm, c, e) for nm, d in margin_errors.items() for c, e in d.items()),
            key=lambda item: item[2],
        )
        raise ConvergenceError(
            f"raking did not converge in {iterations} iterations: largest margin error "
            f"{worst:.3g} on {worst_name!r}, category {worst_cat!r} (tol {tol:g}"
            f"{f', cap {cap:g}' if cap is not None else ''})",
            result,
        )
    return result


# --------------------------------------------------------------------------------------------
# Post-stratification
# --------------------------------------------------------------------------------------------


def poststratify(
    data: Mapping[str, ArrayLike],
    cells: Mapping[Hashable, float],
    *,
    base_weights: ArrayLike | None = None,
) -> WeightingResult:
    """Weight respondents so each cell of a joint distribution gets exactly its population share.

    ``cells`` maps a tuple of categories, in the order of the variables in ``data``, to its
    share (a bare category is accepted when there is one variable). Use it when the joint
    distribution is known and every cell has respondents; otherwise rake to the margins.
    """
    names = list(data)
    if not names:
        raise WeightingError("at least one variable is required")
    if not cells:
        raise WeightingError("the joint distribution has no cells")
    keys: list[tuple[Hashable, ...]] = []
    for key in cells:
        tup = key if isinstance(key, tuple) else (key,)
        if len(tup) != len(names):
            raise WeightingError(
                f"cell {key!r} has {len(tup)} categories but there are {len(names)} variables"
            )
        keys.append(tup)
    shares = np.array([float(v) for v in cells.values()], dtype=np.float64)
    for key, s in zip(keys, shares, strict=True):
        if not np.isfinite(s) or s < 0:
            raise WeightingError(f"cell {key!r}: share {s} is invalid")
    total = float(shares.sum())
    if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
        raise WeightingError(f"cell shares sum to {total:.8g}, not 1")
    shares = shares / total

    per_var_cats = [list(dict.fromkeys(k[j] for k in keys)) for j in range(len(names))]
    codes = [_encode(nm, data[nm], cats) for nm, cats in zip(names, per_var_cats, strict=True)]
    n = codes[0].size
    if n == 0:
        raise WeightingError("there are no respondents to weight")
    for name, c in zip(names, codes, strict=True):
        if c.size != n:
            raise WeightingError(f"variable {name!r} has {c.size} values, expected {n}")
    base = _check_base(base_weights, n)
    b = np.ones(n) if base is None else base

    sizes = [len(c) for c in per_var_cats]
    cell_index = {
        tuple(cats.index(v) for cats, v in zip(per_var_cats, k, strict=True)): i
        for i, k in enumerate(keys)
    }
    combined = np.zeros(n, dtype=np.int64)
    for c, k in zip(codes, sizes, strict=True):
        combined = combined * k + c
    # Map combined codes to declared cells (-1 for combinations not declared).
    uniq, inverse = np.unique(combined, return_inverse=True)
    inverse = inverse.reshape(-1)
    lut = np.full(uniq.size, -1, dtype=np.intp)
    for u_i, u in enumerate(uniq.tolist()):
        parts = []
        for k in reversed(sizes):
            parts.append(u % k)
            u //= k
        lut[u_i] = cell_index.get(tuple(reversed(parts)), -1)
    row_cell = lut[inverse]
    if (row_cell < 0).any():
        first = int(np.flatnonzero(row_cell < 0)[0])
        combo = tuple(per_var_cats[j][int(codes[j][first])] for j in range(len(names)))
        raise WeightingError(f"respondents in cell {combo!r}, which has no population share")
    cell_totals = np.bincount(row_cell, weights=b, minlength=len(keys))
    empty = np.flatnonzero((cell_totals == 0) & (shares > 0))
    if empty.size:
        raise WeightingError(
            f"cell {keys[int(empty[0])]!r}: population share {shares[empty[0]]:.6g} but no "
            "respondents in that cell"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(cell_totals > 0, shares * b.sum() / cell_totals, 0.0)
    w = b * factor[row_cell]
    w *= n / w.sum()
    achieved = np.bincount(row_cell, weights=w, minlength=len(keys)) / w.sum()
    errs = np.abs(achieved - shares)
    return WeightingResult(
        weights=w,
        method="poststratification",
        iterations=1,
        converged=True,
        max_margin_error=float(errs.max()),
        margin_errors={"cells": {k: float(e) for k, e in zip(keys, errs, strict=True)}},
        design_effect=kish_design_effect(w),
        effective_n=kish_effective_n(w),
    )
