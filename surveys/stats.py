"""Paired comparisons of two survey waves of the same panel.

Pure computation on arrays (numpy/scipy only, no Django), so the statistics can be checked
against scipy and statsmodels on their own and wrapped by views and commands later.

Conventions (documented once, used everywhere)
----------------------------------------------
* Pairs: a panelist's answer in wave A is paired with the same panelist's answer in wave B.
  Per item, a pair with a missing answer (NaN/None/'') in either wave is dropped.
* Direction: change = wave B - wave A; positive effect sizes mean higher values in wave B.
* Binary items (0/1): McNemar on the table rows = wave A, columns = wave B. Exact (two-sided
  binomial on the discordant pairs, statistic min(b, c)) when b + c < 25, otherwise chi-square
  *with* continuity correction, ``(|b - c| - 1)^2 / (b + c)`` -- the conventions of statsmodels'
  ``mcnemar(exact=True)`` and ``mcnemar(exact=False, correction=True)``. Effect size: change in
  proportion with Newcombe's hybrid-score CI for paired proportions (method 10, with phi
  computed from ad - bc shrunk by n/2), which unlike Wald keeps a sensible width with few
  discordant pairs.
* Nominal items: Stuart-Maxwell marginal homogeneity and Bowker symmetry on the square table over
  the union of categories seen in either wave, on raw counts -- statsmodels'
  ``SquareTable(table, shift_zeros=False)``. (statsmodels' default ``shift_zeros=True`` replaces
  empty cells by 0.5, which changes both statistics; we do not do that.) When the
  Stuart-Maxwell covariance is singular (a category whose answers never changed, or groups of
  categories that never exchange answers) the statistic is computed per connected group of
  categories with df = categories - groups: it equals statsmodels whenever statsmodels can
  invert the matrix, and is defined where statsmodels returns NaN.
* Ordinal items: ``scipy.stats.wilcoxon`` (zero_method='wilcox', two-sided, method 'auto'),
  reporting scipy's statistic, with the matched-pairs rank-biserial correlation
  (R+ - R-) / (R+ + R-) over the non-zero differences as effect size.
* Interval items: ``scipy.stats.ttest_rel`` with Cohen's dz = mean(d) / sd(d) (ddof=1) and the
  t-based 95% CI of the mean change; Wilcoxon as a robustness check.
* Multiple items: Holm step-down adjustment across the tested items of one comparison, as
  statsmodels ``multipletests(method='holm')``.
* Degenerate cases never produce NaN: no discordant pairs, all differences zero or a table with
  one category give statistic 0 and p = 1. All differences equal but non-zero give t = +/-inf,
  p = 0 (scipy's answer; ``to_dict`` writes non-finite numbers as null). Items with no pairs
  (or fewer than 2 for a t-test) are reported untested (test/statistic/p None, with a note) and
  are left out of the Holm family.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from surveys.weighting import kish_effective_n, margin_of_error

__all__ = [
    "EXACT_MCNEMAR_LIMIT",
    "ITEM_TYPES",
    "AttritionResult",
    "AttritionVariable",
    "ItemResult",
    "KnowledgeIndexResult",
    "PanelPollComparison",
    "StatsError",
    "TestResult",
    "WaveComparison",
    "analyze_items",
    "analyze_subgroups",
    "attrition",
    "bowker_symmetry",
    "compare_binary",
    "compare_interval",
    "compare_nominal",
    "compare_ordinal",
    "compare_panel_to_poll",
    "holm",
    "margin_of_error",
    "mcnemar_test",
    "newcombe_paired_ci",
    "paired_t_test",
    "stuart_maxwell",
    "wilcoxon_test",
]

EXACT_MCNEMAR_LIMIT = 25
ITEM_TYPES = ("binary", "nominal", "ordinal", "interval", "knowledge")
CONFIDENCE = 0.95


class StatsError(ValueError):
    """Bad input to a wave comparison; the message names the item, wave or panelist."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


def _json_number(x: Any) -> Any:
    """Plain Python number for JSON; NaN and infinities become None."""
    if x is None:
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        x = float(x)
        if not math.isfinite(x):
            return None
        return x
    return x


def _json_key(k: Hashable) -> str:
    if isinstance(k, float | np.floating) and float(k).is_integer():
        return str(int(k))
    return str(k)


def _json(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {_json_key(k): _json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json(v) for v in obj]
    return _json_number(obj)


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test: its name, statistic, p-value, df and effect size."""

    __test__ = False  # not a pytest test class

    test: str
    statistic: float
    p_value: float
    df: float | None = None
    effect_size: float | None = None
    effect_size_name: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _json(
            {
                "test": self.test,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "df": self.df,
                "effect_size": self.effect_size,
                "effect_size_name": self.effect_size_name,
                "note": self.note,
            }
        )


@dataclass(frozen=True)
class ItemResult:
    """The comparison of one item between two waves, ready to be shown or serialised."""

    item: str
    item_type: str
    n_pairs: int
    test: str | None
    statistic: float | None
    p_value: float | None
    df: float | None
    effect_size: float | None
    effect_size_name: str | None
    distribution_a: dict[Hashable, float]
    distribution_b: dict[Hashable, float]
    change: float | None = None
    ci: tuple[float, float] | None = None
    ci_name: str | None = None
    p_adjusted: float | None = None
    secondary: tuple[TestResult, ...] = ()
    note: str | None = None

    def to_dict(self, wave_a: str = "a", wave_b: str = "b") -> dict[str, Any]:
        return _json(
            {
                "item": self.item,
                "type": self.item_type,
                "n_pairs": self.n_pairs,
                "test": self.test,
                "statistic": self.statistic,
                "df": self.df,
                "p_value": self.p_value,
                "p_adjusted": self.p_adjusted,
                "effect_size": self.effect_size,
                "effect_size_name": self.effect_size_name,
                "change": self.change,
                "ci": list(self.ci) if self.ci is not None else None,
                "ci_name": self.ci_name,
                "distributions": {wave_a: self.distribution_a, wave_b: self.distribution_b},
                "secondary": [t.to_dict() for t in self.secondary],
                "note": self.note,
            }
        )


@dataclass(frozen=True)
class KnowledgeIndexResult:
    """Per-panelist share of knowledge items answered correctly, and its paired change."""

    items: tuple[str, ...]
    n_pairs: int
    mean_a: float | None
    mean_b: float | None
    comparison: ItemResult | None
    index_a: dict[Hashable, float] = field(default_factory=dict)
    index_b: dict[Hashable, float] = field(default_factory=dict)

    def to_dict(self, wave_a: str = "a", wave_b: str = "b") -> dict[str, Any]:
        return _json(
            {
                "items": list(self.items),
                "n_pairs": self.n_pairs,
                "mean": {wave_a: self.mean_a, wave_b: self.mean_b},
                "comparison": (
                    self.comparison.to_dict(wave_a, wave_b) if self.comparison else None
                ),
            }
        )


@dataclass(frozen=True)
class WaveComparison:
    """All items of one comparison between two waves, with Holm-adjusted p-values."""

    wave_a: str
    wave_b: str
    items: tuple[ItemResult, ...]
    knowledge_index: KnowledgeIndexResult | None

    def item(self, name: str) -> ItemResult:
        for result in self.items:
            if result.item == name:
                return result
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "wave_a": self.wave_a,
            "wave_b": self.wave_b,
            "items": [r.to_dict(self.wave_a, self.wave_b) for r in self.items],
            "knowledge_index": (
                self.knowledge_index.to_dict(self.wave_a, self.wave_b)
                if self.knowledge_index
                else None
            ),
        }


# --------------------------------------------------------------------------------------------
# Paired-array helpers
# --------------------------------------------------------------------------------------------


def _to_float(values: ArrayLike, what: str) -> NDArray[np.float64]:
    """Numbers to float64, missing (None, NaN, '') to NaN; anything else raises StatsError."""
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64).reshape(-1)
    out = np.empty(arr.size, dtype=np.float64)
    for i, v in enumerate(arr.reshape(-1).tolist()):
        if v is None:
            out[i] = np.nan
        elif isinstance(v, bool | int | float | np.number):
            out[i] = float(v)
        elif isinstance(v, str):
            text = v.strip()
            if text == "" or text.lower() in ("nan", "na"):
                out[i] = np.nan
                continue
            try:
                out[i] = float(text)
            except ValueError:
                raise StatsError(f"{what}: non-numeric value {v!r}", position=i) from None
        else:
            raise StatsError(f"{what}: non-numeric value {v!r}", position=i)
    return out


def _pairs(a: ArrayLike, b: ArrayLike, what: str = "values") -> tuple[np.ndarray, np.ndarray]:
    x = _to_float(a, f"{what} (wave A)")
    y = _to_float(b, f"{what} (wave B)")
    if x.shape != y.shape:
        raise StatsError(f"{what}: wave A has {x.size} values but wave B has {y.size}")
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep]


def _category(v: float) -> Hashable:
    return int(v) if float(v).is_integer() else float(v)


def _counts(x: np.ndarray, categories: Sequence[float]) -> dict[Hashable, float]:
    return {_category(c): int(np.count_nonzero(x == c)) for c in categories}


def _summary(x: np.ndarray) -> dict[Hashable, float | None]:
    n = x.size
    return {
        "n": n,
        "mean": float(x.mean()) if n else None,
        "sd": float(x.std(ddof=1)) if n > 1 else None,
        "median": float(np.median(x)) if n else None,
    }


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# Tests on paired arrays (missing pairs already dropped)
# --------------------------------------------------------------------------------------------


def mcnemar_test(a: ArrayLike, b: ArrayLike) -> TestResult:
    """McNemar test of a change in a 0/1 answer; exact when discordant pairs are few."""
    x, y = _pairs(a, b)
    _check_binary(x, y, "values")
    n01 = int(np.count_nonzero((x == 0) & (y == 1)))
    n10 = int(np.count_nonzero((x == 1) & (y == 0)))
    return _mcnemar_from_counts(n10, n01)


def _mcnemar_from_counts(n10: int, n01: int) -> TestResult:
    discordant = n10 + n01
    if discordant < EXACT_MCNEMAR_LIMIT:
        stat = float(min(n10, n01))
        p = 1.0 if discordant == 0 else min(1.0, 2.0 * float(sps.binom.cdf(stat, discordant, 0.5)))
        note = "no discordant pairs" if discordant == 0 else None
        return TestResult("mcnemar_exact", stat, p, note=note)
    stat = (abs(n10 - n01) - 1.0) ** 2 / discordant
    return TestResult("mcnemar_chi2", stat, float(sps.chi2.sf(stat, 1)), df=1.0)


def _check_binary(x: np.ndarray, y: np.ndarray, what: str) -> None:
    bad = ~np.isin(np.concatenate([x, y]), (0.0, 1.0))
    if bad.any():
        value = np.concatenate([x, y])[bad][0]
        raise StatsError(f"{what}: binary answers must be 0 or 1, got {_category(value)!r}")


def _square_table(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[float]]:
    cats = sorted(set(np.unique(x).tolist()) | set(np.unique(y).tolist()))
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    xi = np.array([index[v] for v in x.tolist()], dtype=np.intp)
    yi = np.array([index[v] for v in y.tolist()], dtype=np.intp)
    table = np.bincount(xi * k + yi, minlength=k * k).reshape(k, k).astype(np.float64)
    return table, cats


def stuart_maxwell(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Stuart-Maxwell test that the answer distribution is the same in both waves."""
    x, y = _pairs(a, b)
    table, _ = _square_table(x, y)
    return _stuart_maxwell_table(table)


def _stuart_maxwell_table(table: np.ndarray) -> TestResult:
    k = table.shape[0]
    off = table + table.T
    np.fill_diagonal(off, 0.0)
    if k < 2 or not off.any():
        return TestResult("stuart_maxwell", 0.0, 1.0, df=0.0, note="no answer changed")
    d = table.sum(0) - table.sum(1)  # column (wave B) minus row (wave A) margins, as counts
    laplacian = np.diag(off.sum(1)) - off
    n_comp, labels = connected_components(csr_matrix(off), directed=False)
    statistic, df = 0.0, 0
    for comp in range(n_comp):
        members = np.flatnonzero(labels == comp)
        if members.size < 2:
            continue
        keep = members[:-1]  # drop one category per group: the margins within it sum to 0
        sub = laplacian[np.ix_(keep, keep)]
        statistic += float(d[keep] @ np.linalg.solve(sub, d[keep]))
        df += keep.size
    return TestResult("stuart_maxwell", statistic, float(sps.chi2.sf(statistic, df)), df=float(df))


def bowker_symmetry(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Bowker test that changes between any two categories are balanced in both directions."""
    x, y = _pairs(a, b)
    table, _ = _square_table(x, y)
    return _bowker_table(table)


def _bowker_table(table: np.ndarray) -> TestResult:
    k = table.shape[0]
    if k < 2:
        return TestResult("bowker", 0.0, 1.0, df=0.0, note="only one category")
    upper = np.triu_indices(k, 1)
    above, below = table[upper], table.T[upper]
    total = above + below
    used = total > 0
    statistic = float(((above[used] - below[used]) ** 2 / total[used]).sum())
    df = k * (k - 1) / 2.0
    return TestResult("bowker", statistic, float(sps.chi2.sf(statistic, df)), df=df)


def _rank_biserial(d: np.ndarray) -> float:
    nz = d[d != 0]
    if nz.size == 0:
        return 0.0
    ranks = sps.rankdata(np.abs(nz))
    r_plus, r_minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
    return float((r_plus - r_minus) / (r_plus + r_minus))


def wilcoxon_test(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Wilcoxon signed-rank test of wave B - wave A, with the rank-biserial correlation."""
    x, y = _pairs(a, b)
    return _wilcoxon(x, y)


def _wilcoxon(x: np.ndarray, y: np.ndarray) -> TestResult:
    d = y - x
    if not np.any(d != 0):
        return TestResult(
            "wilcoxon",
            0.0,
            1.0,
            effect_size=0.0,
            effect_size_name="rank_biserial",
            note="all differences are zero",
        )
    res = _quiet(sps.wilcoxon, y, x, zero_method="wilcox")
    return TestResult(
        "wilcoxon",
        float(res.statistic),
        float(res.pvalue),
        effect_size=_rank_biserial(d),
        effect_size_name="rank_biserial",
    )


def paired_t_test(a: ArrayLike, b: ArrayLike) -> TestResult:
    """Paired t-test of wave B - wave A with Cohen's dz as effect size."""
    x, y = _pairs(a, b)
    result, _ = _paired_t(x, y)
    return result


def _paired_t(x: np.ndarray, y: np.ndarray) -> tuple[TestResult, tuple[float, float] | None]:
    n = x.size
    if n < 2:
        raise StatsError("a paired t-test needs at least 2 pairs")
    d = y - x
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        if mean == 0.0:
            return (
                TestResult(
                    "paired_t",
                    0.0,
                    1.0,
                    df=float(n - 1),
                    effect_size=0.0,
                    effect_size_name="cohen_dz",
                    note="all differences are zero",
                ),
                (0.0, 0.0),
            )
        inf = math.copysign(math.inf, mean)
        return (
            TestResult(
                "paired_t",
                inf,
                0.0,
                df=float(n - 1),
                effect_size=inf,
                effect_size_name="cohen_dz",
                note="all differences are equal: zero variance",
            ),
            (mean, mean),
        )
    res = _quiet(sps.ttest_rel, y, x)
    ci = res.confidence_interval(CONFIDENCE)
    return (
        TestResult(
            "paired_t",
            float(res.statistic),
            float(res.pvalue),
            df=float(res.df),
            effect_size=mean / sd,
            effect_size_name="cohen_dz",
        ),
        (float(ci.low), float(ci.high)),
    )


def _wilson(successes: float, n: float, z: float) -> tuple[float, float]:
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def newcombe_paired_ci(
    n11: int, n10: int, n01: int, n00: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """CI for p(B=1) - p(A=1) from paired counts (Newcombe 1998, method 10).

    ``n10`` counts pairs with A=1, B=0 and ``n01`` pairs with A=0, B=1. Combines the Wilson
    intervals of both proportions with the (n/2-corrected) phi correlation of the pairs; stays
    inside [-1, 1] and does not collapse to zero width when there are no discordant pairs.
    """
    n = n11 + n10 + n01 + n00
    if n == 0:
        raise StatsError("no pairs to compute a confidence interval")
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    p_a, p_b = (n11 + n10) / n, (n11 + n01) / n
    l_a, u_a = _wilson(n11 + n10, n, z)
    l_b, u_b = _wilson(n11 + n01, n, z)
    margins = (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)
    # ad - bc is shrunk by n/2 towards 0 when positive (Newcombe's correction, as in Altman et
    # al., Statistics with Confidence, 2000); without it a table with no discordant pairs has
    # phi = 1 and a zero-width interval.
    cross = n11 * n00 - n10 * n01
    shrunk = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
    phi = 0.0 if margins == 0 else shrunk / math.sqrt(margins)
    diff = p_b - p_a
    low = diff - math.sqrt(
        max(0.0, (p_b - l_b) ** 2 - 2 * phi * (p_b - l_b) * (u_a - p_a) + (u_a - p_a) ** 2)
    )
    high = diff + math.sqrt(
        max(0.0, (u_b - p_b) ** 2 - 2 * phi * (u_b - p_b) * (p_a - l_a) + (p_a - l_a) ** 2)
    )
    return max(-1.0, low), min(1.0, high)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values: controls the family-wise error across items."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    if np.isnan(p).any():
        raise StatsError("p-values must not be NaN")
    order = np.argsort(p, kind="stable")
    scaled = (m - np.arange(m)) * p[order]
    adjusted_sorted = np.minimum(1.0, np.maximum.accumulate(scaled))
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted.tolist()


# --------------------------------------------------------------------------------------------
# Per-item comparisons
# --------------------------------------------------------------------------------------------


def _untested(
    item: str, item_type: str, n: int, dist_a: dict, dist_b: dict, note: str
) -> ItemResult:
    return ItemResult(
        item=item,
        item_type=item_type,
        n_pairs=n,
        test=None,
        statistic=None,
        p_value=None,
        df=None,
        effect_size=None,
        effect_size_name=None,
        distribution_a=dist_a,
        distribution_b=dist_b,
        note=note,
    )


def _from_test(
    item: str,
    item_type: str,
    n: int,
    test: TestResult,
    dist_a: dict,
    dist_b: dict,
    **extra: Any,
) -> ItemResult:
    return ItemResult(
        item=item,
        item_type=item_type,
        n_pairs=n,
        test=test.test,
        statistic=test.statistic,
        p_value=test.p_value,
        df=test.df,
        effect_size=extra.pop("effect_size", test.effect_size),
        effect_size_name=extra.pop("effect_size_name", test.effect_size_name),
        distribution_a=dist_a,
        distribution_b=dist_b,
        note=extra.pop("note", test.note),
        **extra,
    )


def compare_binary(
    a: ArrayLike, b: ArrayLike, item: str = "", item_type: str = "binary"
) -> ItemResult:
    """McNemar test and change in proportion (Newcombe CI) for a 0/1 item."""
    x, y = _pairs(a, b, item or "values")
    _check_binary(x, y, f"item {item!r}" if item else "values")
    n = x.size
    dist_a, dist_b = _counts(x, (0.0, 1.0)), _counts(y, (0.0, 1.0))
    if n == 0:
        return _untested(item, item_type, 0, dist_a, dist_b, "no pairs")
    n11 = int(np.count_nonzero((x == 1) & (y == 1)))
    n10 = int(np.count_nonzero((x == 1) & (y == 0)))
    n01 = int(np.count_nonzero((x == 0) & (y == 1)))
    n00 = n - n11 - n10 - n01
    test = _mcnemar_from_counts(n10, n01)
    change = (n01 - n10) / n
    return _from_test(
        item,
        item_type,
        n,
        test,
        dist_a,
        dist_b,
        effect_size=change,
        effect_size_name="proportion_change",
        change=change,
        ci=newcombe_paired_ci(n11, n10, n01, n00),
        ci_name="proportion_change_newcombe",
    )


def compare_nominal(a: ArrayLike, b: ArrayLike, item: str = "") -> ItemResult:
    """Stuart-Maxwell (primary) and Bowker (secondary) tests for a categorical item."""
    x, y = _pairs(a, b, item or "values")
    n = x.size
    if n == 0:
        return _untested(item, "nominal", 0, {}, {}, "no pairs")
    table, cats = _square_table(x, y)
    dist_a, dist_b = _counts(x, cats), _counts(y, cats)
    return _from_test(
        item,
        "nominal",
        n,
        _stuart_maxwell_table(table),
        dist_a,
        dist_b,
        secondary=(_bowker_table(table),),
    )


def compare_ordinal(a: ArrayLike, b: ArrayLike, item: str = "") -> ItemResult:
    """Wilcoxon signed-rank test with rank-biserial correlation for an ordered scale."""
    x, y = _pairs(a, b, item or "values")
    n = x.size
    cats = sorted(set(x.tolist()) | set(y.tolist()))
    dist_a, dist_b = _counts(x, cats), _counts(y, cats)
    if n == 0:
        return _untested(item, "ordinal", 0, dist_a, dist_b, "no pairs")
    test = _wilcoxon(x, y)
    return _from_test(item, "ordinal", n, test, dist_a, dist_b, change=float((y - x).mean()))


def compare_interval(a: ArrayLike, b: ArrayLike, item: str = "") -> ItemResult:
    """Paired t-test with Cohen's dz and a t-based CI of the mean change; Wilcoxon alongside."""
    x, y = _pairs(a, b, item or "values")
    n = x.size
    dist_a, dist_b = _summary(x), _summary(y)
    if n < 2:
        return _untested(item, "interval", n, dist_a, dist_b, "fewer than 2 pairs")
    test, ci = _paired_t(x, y)
    return _from_test(
        item,
        "interval",
        n,
        test,
        dist_a,
        dist_b,
        change=float((y - x).mean()),
        ci=ci,
        ci_name="mean_change_t",
        secondary=(_wilcoxon(x, y),),
    )


# --------------------------------------------------------------------------------------------
# Long table -> per-item comparisons
# --------------------------------------------------------------------------------------------


def _factorize(values: ArrayLike, what: str) -> tuple[list[Hashable], NDArray[np.intp]]:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise StatsError(f"{what} must be one-dimensional")
    if arr.dtype.kind == "O":
        index: dict[Hashable, int] = {}
        codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in arr.tolist()), np.intp, arr.size
        )
        return list(index), codes
    uniq, codes = np.unique(arr, return_inverse=True)
    return uniq.tolist(), codes.reshape(-1).astype(np.intp)


@dataclass(frozen=True)
class _Long:
    panelists: list[Hashable]
    waves: list[Hashable]
    items: list[Hashable]
    p: NDArray[np.intp]
    w: NDArray[np.intp]
    i: NDArray[np.intp]
    v: NDArray[np.float64]


def _parse_long(
    panelist_id: ArrayLike, wave: ArrayLike, item: ArrayLike, value: ArrayLike
) -> _Long:
    panelists, p = _factorize(panelist_id, "panelist_id")
    waves, w = _factorize(wave, "wave")
    items, i = _factorize(item, "item")
    if not (p.size == w.size == i.size):
        raise StatsError("panelist_id, wave, item and value must have the same length")
    try:
        v = _to_float(value, "value")
    except StatsError as exc:
        pos = exc.position
        assert pos is not None
        raise StatsError(
            f"non-numeric value {np.asarray(value, dtype=object)[pos]!r} for item "
            f"{items[i[pos]]!r}, panelist {panelists[p[pos]]!r}, wave {waves[w[pos]]!r}"
        ) from None
    if v.size != p.size:
        raise StatsError("panelist_id, wave, item and value must have the same length")
    key = (p.astype(np.int64) * len(waves) + w) * len(items) + i
    uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
    if (counts > 1).any():
        row = int(first[np.flatnonzero(counts > 1)[0]])
        raise StatsError(
            f"duplicate answers for panelist {panelists[p[row]]!r}, wave {waves[w[row]]!r}, "
            f"item {items[i[row]]!r}"
        )
    return _Long(panelists, waves, items, p, w, i, v)


def _wave_index(data: _Long, label: Hashable) -> int:
    for k, w in enumerate(data.waves):
        if w == label or str(w) == str(label):
            return k
    raise StatsError(f"unknown wave label {label!r}; waves present: {data.waves!r}")


def _item_matrix(data: _Long, wave_index: int) -> NDArray[np.float64]:
    """Panelists x items matrix of one wave's answers (NaN where not answered)."""
    out = np.full((len(data.panelists), len(data.items)), np.nan)
    rows = data.w == wave_index
    out[data.p[rows], data.i[rows]] = data.v[rows]
    return out


def _present(data: _Long, wave_index: int) -> NDArray[np.bool_]:
    present = np.zeros(len(data.panelists), dtype=bool)
    present[data.p[data.w == wave_index]] = True
    return present


def _check_types(
    item_types: Mapping[str, str], answer_key: Mapping[str, float] | None, items: Sequence
) -> None:
    for name, kind in item_types.items():
        if kind not in ITEM_TYPES:
            raise StatsError(f"item {name!r}: unknown item type {kind!r}; use one of {ITEM_TYPES}")
        if kind == "knowledge" and (answer_key is None or name not in answer_key):
            raise StatsError(f"knowledge item {name!r} has no correct answer in answer_key")
    for name in items:
        if name not in item_types:
            raise StatsError(f"item {name!r} is missing from the item table")


def _compare(
    name: str, kind: str, x: np.ndarray, y: np.ndarray, answer_key: Mapping[str, float] | None
) -> ItemResult:
    if kind == "binary":
        return compare_binary(x, y, name)
    if kind == "nominal":
        return compare_nominal(x, y, name)
    if kind == "ordinal":
        return compare_ordinal(x, y, name)
    if kind == "interval":
        return compare_interval(x, y, name)
    assert answer_key is not None
    correct = float(answer_key[name])
    return compare_binary(_score(x, correct), _score(y, correct), name, item_type="knowledge")


def _score(x: np.ndarray, correct: float) -> np.ndarray:
    return np.where(np.isnan(x), np.nan, (x == correct).astype(np.float64))


def _knowledge_index(
    data: _Long,
    knowledge_items: Sequence[str],
    answer_key: Mapping[str, float],
    mat_a: np.ndarray,
    mat_b: np.ndarray,
    both: np.ndarray,
) -> KnowledgeIndexResult:
    cols = [data.items.index(name) for name in knowledge_items]
    correct = np.array([float(answer_key[name]) for name in knowledge_items])
    # A skipped knowledge question counts as not known (the usual convention for quizzes).
    index_a = (mat_a[:, cols] == correct).mean(axis=1)
    index_b = (mat_b[:, cols] == correct).mean(axis=1)
    ia, ib = index_a[both], index_b[both]
    ids = [data.panelists[k] for k in np.flatnonzero(both)]
    comparison = None
    if ia.size >= 2:
        comparison = compare_interval(ia, ib, "knowledge_index")
    return KnowledgeIndexResult(
        items=tuple(knowledge_items),
        n_pairs=int(ia.size),
        mean_a=float(ia.mean()) if ia.size else None,
        mean_b=float(ib.mean()) if ib.size else None,
        comparison=comparison,
        index_a=dict(zip(ids, ia.tolist(), strict=True)),
        index_b=dict(zip(ids, ib.tolist(), strict=True)),
    )


def _with_holm(results: list[ItemResult]) -> tuple[ItemResult, ...]:
    tested = [k for k, r in enumerate(results) if r.p_value is not None]
    adjusted = holm([results[k].p_value for k in tested])  # type: ignore[misc]
    out = list(results)
    for k, p_adj in zip(tested, adjusted, strict=True):
        out[k] = _replace(results[k], p_adjusted=p_adj)
    return tuple(out)


def _replace(result: ItemResult, **changes: Any) -> ItemResult:
    from dataclasses import replace

    return replace(result, **changes)


def _analyze(
    data: _Long,
    rows: NDArray[np.bool_] | None,
    item_types: Mapping[str, str],
    wave_a: Hashable,
    wave_b: Hashable,
    answer_key: Mapping[str, float] | None,
) -> WaveComparison:
    ka, kb = _wave_index(data, wave_a), _wave_index(data, wave_b)
    mat_a, mat_b = _item_matrix(data, ka), _item_matrix(data, kb)
    both = _present(data, ka) & _present(data, kb)
    if rows is not None:
        both &= rows
    results = []
    for name, kind in item_types.items():
        if name in data.items:
            col = data.items.index(name)
            x, y = mat_a[both, col], mat_b[both, col]
        else:
            x = y = np.empty(0)
        results.append(_compare(name, kind, x, y, answer_key))
    knowledge = [name for name, kind in item_types.items() if kind == "knowledge"]
    index = None
    if knowledge:
        assert answer_key is not None
        present = [name for name in knowledge if name in data.items]
        if present:
            index = _knowledge_index(data, present, answer_key, mat_a, mat_b, both)
    return WaveComparison(str(wave_a), str(wave_b), _with_holm(results), index)


def analyze_items(
    panelist_id: ArrayLike,
    wave: ArrayLike,
    item: ArrayLike,
    value: ArrayLike,
    item_types: Mapping[str, str],
    wave_a: Hashable,
    wave_b: Hashable,
    *,
    answer_key: Mapping[str, float] | None = None,
) -> WaveComparison:
    """Compare every item between two waves of a panel from a long table of answers.

    One row per (panelist, wave, item) with a numeric ``value`` (NaN/None/'' = skipped).
    ``item_types`` maps each item to binary/nominal/ordinal/interval/knowledge; knowledge items
    are scored against ``answer_key`` and also summarised as a per-panelist knowledge index.
    Only panelists present in both waves are paired; p-values are Holm-adjusted across items.
    """
    data = _parse_long(panelist_id, wave, item, value)
    _check_types(item_types, answer_key, data.items)
    return _analyze(data, None, item_types, wave_a, wave_b, answer_key)


def analyze_subgroups(
    panelist_id: ArrayLike,
    wave: ArrayLike,
    item: ArrayLike,
    value: ArrayLike,
    group: ArrayLike,
    item_types: Mapping[str, str],
    wave_a: Hashable,
    wave_b: Hashable,
    *,
    answer_key: Mapping[str, float] | None = None,
) -> dict[Hashable, WaveComparison]:
    """The same comparison within each subgroup (region, gender, age band...).

    ``group`` gives each row's group; a panelist must have one group throughout. Holm
    adjustment is applied within each subgroup's family of items.
    """
    data = _parse_long(panelist_id, wave, item, value)
    _check_types(item_types, answer_key, data.items)
    groups, g = _factorize(group, "group")
    if g.size != data.p.size:
        raise StatsError("group must have one value per row")
    panel_group = np.full(len(data.panelists), -1, dtype=np.intp)
    panel_group[data.p] = g
    if np.any(panel_group[data.p] != g):
        row = int(np.flatnonzero(panel_group[data.p] != g)[0])
        raise StatsError(f"panelist {data.panelists[data.p[row]]!r} has more than one group")
    return {
        label: _analyze(data, panel_group == k, item_types, wave_a, wave_b, answer_key)
        for k, label in sorted(enumerate(groups), key=lambda kv: str(kv[1]))
    }


# --------------------------------------------------------------------------------------------
# Attrition
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttritionVariable:
    """Stayers vs leavers on one demographic variable (Pearson chi-square, no continuity)."""

    variable: str
    shares_wave_a: dict[Hashable, float]
    shares_stayers: dict[Hashable, float]
    shares_leavers: dict[Hashable, float]
    max_shift: float
    statistic: float
    p_value: float
    df: int


@dataclass(frozen=True)
class AttritionResult:
    """Who answered wave A but not wave B, and whether leaving changed the panel's make-up."""

    n_wave_a: int
    n_stayers: int
    n_leavers: int
    leavers: tuple[Hashable, ...]
    variables: tuple[AttritionVariable, ...]

    @property
    def attrition_rate(self) -> float:
        return self.n_leavers / self.n_wave_a if self.n_wave_a else 0.0


def _shares(cats: Sequence[Hashable], row: np.ndarray) -> dict[Hashable, float]:
    total = row.sum()
    return {c: (float(v / total) if total else 0.0) for c, v in zip(cats, row, strict=True)}


def attrition(
    ids_wave_a: ArrayLike,
    ids_wave_b: ArrayLike,
    panelist_id: ArrayLike,
    demographics: Mapping[str, ArrayLike],
) -> AttritionResult:
    """Compare panelists who stayed with those who left between two waves.

    ``demographics`` holds one array per variable aligned with ``panelist_id``. For each
    variable: shares in wave A, among stayers and among leavers; the largest shift of a share
    between wave A and the stayers (how much leaving changed the composition, in proportion
    points); and a Pearson chi-square test (without Yates' correction) of stayers vs leavers.
    Categories with nobody in either group are dropped; no leavers gives statistic 0, p = 1.
    """
    in_a = set(np.asarray(ids_wave_a).tolist())
    in_b = set(np.asarray(ids_wave_b).tolist())
    ids = np.asarray(panelist_id).tolist()
    if len(set(ids)) != len(ids):
        raise StatsError("panelist_id must not repeat in the demographics table")
    known = set(ids)
    unknown = sorted((in_a | in_b) - known, key=str)
    if unknown:
        raise StatsError(f"panelist {unknown[0]!r} has no demographics")
    mask_a = np.array([i in in_a for i in ids], dtype=bool)
    stay = mask_a & np.array([i in in_b for i in ids], dtype=bool)
    leave = mask_a & ~stay
    variables = []
    for name, column in demographics.items():
        values = np.asarray(column, dtype=object)
        if values.size != len(ids):
            raise StatsError(f"demographic {name!r} must have one value per panelist")
        cats = sorted({v for v in values[mask_a].tolist()}, key=lambda v: (str(type(v)), v))
        table = np.array(
            [[np.count_nonzero(values[m] == c) for c in cats] for m in (stay, leave)],
            dtype=np.float64,
        )

        all_a = table.sum(0)
        sh_a, sh_stay = _shares(cats, all_a), _shares(cats, table[0])
        shift = max((abs(sh_stay[c] - sh_a[c]) for c in cats), default=0.0)
        used = table[:, all_a > 0]
        if table[1].sum() == 0 or table[0].sum() == 0 or used.shape[1] < 2:
            stat, p, df = 0.0, 1.0, 0
        else:
            res = sps.chi2_contingency(used, correction=False)
            stat, p, df = float(res.statistic), float(res.pvalue), int(res.dof)
        variables.append(
            AttritionVariable(name, sh_a, sh_stay, _shares(cats, table[1]), shift, stat, p, df)
        )
    return AttritionResult(
        n_wave_a=int(mask_a.sum()),
        n_stayers=int(stay.sum()),
        n_leavers=int(leave.sum()),
        leavers=tuple(i for i, m in zip(ids, leave, strict=True) if m),
        variables=tuple(variables),
    )


# --------------------------------------------------------------------------------------------
# Panel vs weighted poll
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelPollComparison:
    """A panel estimate against the weighted poll estimate, as a two-sample z test."""

    measure: str
    panel_estimate: float
    panel_n: int
    poll_estimate: float
    poll_effective_n: float
    poll_margin_of_error: float
    difference: float
    ci: tuple[float, float]
    statistic: float
    p_value: float


def compare_panel_to_poll(
    panel_values: ArrayLike,
    poll_values: ArrayLike,
    poll_weights: ArrayLike | None = None,
    measure: str = "proportion",
) -> PanelPollComparison:
    """Is the panel's final opinion different from the weighted poll's? (two-sample z test)

    ``measure='proportion'`` takes 0/1 answers, ``'mean'`` any numbers; missing values are
    dropped. The poll's standard error uses its Kish effective n, so weighting is not treated
    as free information: z = (panel - poll) / sqrt(se_panel^2 + se_poll^2) with unpooled
    variances p(1-p)/n (proportions) or s^2/n (means, weighted s for the poll).
    """
    if measure not in ("proportion", "mean"):
        raise StatsError(f"unknown measure {measure!r}; use 'proportion' or 'mean'")
    x = _to_float(panel_values, "panel values")
    y = _to_float(poll_values, "poll values")
    w = np.ones(y.size) if poll_weights is None else _to_float(poll_weights, "poll weights")
    if w.size != y.size:
        raise StatsError("poll_weights must have one value per poll respondent")
    x = x[~np.isnan(x)]
    keep = ~np.isnan(y)
    y, w = y[keep], w[keep]
    if x.size < 2 or y.size < 2:
        raise StatsError("need at least 2 panel answers and 2 poll answers")
    if measure == "proportion":
        _check_binary(x, y, "panel vs poll")
    n_eff = kish_effective_n(w)
    m1 = float(x.mean())
    m2 = float(np.dot(w, y) / w.sum())
    if measure == "proportion":
        var1, var2 = m1 * (1 - m1), m2 * (1 - m2)
        poll_moe = margin_of_error(n_eff, m2)
    else:
        var1 = float(x.var(ddof=1))
        var2 = float(np.dot(w, (y - m2) ** 2) / w.sum())
        poll_moe = float(sps.norm.ppf(0.975)) * math.sqrt(var2 / n_eff)
    se = math.sqrt(var1 / x.size + var2 / n_eff)
    diff = m1 - m2
    z_crit = float(sps.norm.ppf(0.5 + CONFIDENCE / 2))
    if se == 0.0:
        stat, p = (0.0, 1.0) if diff == 0 else (math.copysign(math.inf, diff), 0.0)
    else:
        stat = diff / se
        p = float(2 * sps.norm.sf(abs(stat)))
    return PanelPollComparison(
        measure=measure,
        panel_estimate=m1,
        panel_n=int(x.size),
        poll_estimate=m2,
        poll_effective_n=n_eff,
        poll_margin_of_error=poll_moe,
        difference=diff,
        ci=(diff - z_crit * se, diff + z_crit * se),
        statistic=stat,
        p_value=p,
    )
