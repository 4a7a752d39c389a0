"""How well a panel (or pool) mirrors the population: shares and one chi-square test.

Plain Python, no Django. One rule for every page and report: population shares are
renormalised to sum to 1, a sample's shares are of its members whose category has a
population share, members in other categories are counted apart (``unmatched``) and left
out of the test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps


@dataclass(frozen=True)
class CategoryFit:
    """One category: population share, sample count and share (shares 0-1)."""

    category: str
    population_share: float
    sample_count: int
    sample_share: float
    expected_count: float

    @property
    def difference(self) -> float:
        return self.sample_share - self.population_share


@dataclass(frozen=True)
class CompositionFit:
    """Chi-square goodness of fit of the sample's categories to the population shares.

    Sample members in categories absent from the population margins are counted in
    ``unmatched`` and left out of the test (their share of the sample is reported).
    """

    feature: str
    categories: tuple[CategoryFit, ...]
    n: int
    unmatched: int
    statistic: float | None
    df: int
    p_value: float | None
    max_abs_difference: float

    def to_dict(self) -> dict:
        return {
            "feature": self.feature,
            "n": self.n,
            "unmatched": self.unmatched,
            "test": "chi2_goodness_of_fit",
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "max_abs_difference": self.max_abs_difference,
            "categories": [
                {
                    "category": c.category,
                    "population_share": c.population_share,
                    "sample_count": c.sample_count,
                    "sample_share": c.sample_share,
                    "expected_count": c.expected_count,
                }
                for c in self.categories
            ],
        }


def composition_fit(
    feature: str, population_shares: Mapping[str, float], sample: Iterable[str]
) -> CompositionFit:
    """Compare a sample's categories with population shares (renormalised to sum to 1)."""
    shares = {str(k): float(v) for k, v in population_shares.items()}
    total_share = sum(shares.values())
    if not shares or total_share <= 0:
        raise ValueError(f"feature {feature!r} has no population shares")
    if any(v < 0 for v in shares.values()):
        raise ValueError(f"feature {feature!r} has a negative population share")
    counts = Counter(str(v) for v in sample)
    matched = sum(counts[c] for c in shares)
    unmatched = sum(counts.values()) - matched
    rows = tuple(
        CategoryFit(
            category=c,
            population_share=s / total_share,
            sample_count=counts[c],
            sample_share=counts[c] / matched if matched else 0.0,
            expected_count=matched * s / total_share,
        )
        for c, s in shares.items()
    )
    tested = [r for r in rows if r.expected_count > 0]
    if matched == 0 or len(tested) < 2 or any(r.sample_count for r in rows if not r.expected_count):
        statistic = p_value = None
        df = 0
    else:
        result = sps.chisquare(
            [r.sample_count for r in tested], f_exp=[r.expected_count for r in tested]
        )
        statistic, p_value, df = float(result.statistic), float(result.pvalue), len(tested) - 1
    return CompositionFit(
        feature=feature,
        categories=rows,
        n=matched,
        unmatched=unmatched,
        statistic=statistic,
        df=df,
        p_value=p_value,
        max_abs_difference=max((abs(r.difference) for r in rows), default=0.0),
    )


@dataclass(frozen=True)
class Row:
    """One category of a feature: population share, and the pool's and panel's counts.

    Shares are None for a category outside the population margins (see the module's rule).
    """

    value: str
    population_share: float | None
    pool_count: int
    pool_share: float | None
    panel_count: int
    panel_share: float | None


@dataclass(frozen=True)
class FeatureComparison:
    """Population against pool and panel for one feature; the test is the panel's fit."""

    feature: str
    rows: tuple[Row, ...]
    fit: CompositionFit | None

    @property
    def chi2(self) -> float | None:
        return self.fit.statistic if self.fit is not None else None

    @property
    def dof(self) -> int | None:
        return self.fit.df if self.fit is not None and self.fit.statistic is not None else None

    @property
    def p_value(self) -> float | None:
        return self.fit.p_value if self.fit is not None else None


def _expand(counts: Mapping[str, int]) -> list[str]:
    return [value for value, n in counts.items() for _ in range(n)]


def _shares(counts: Mapping[str, int], categories: Iterable[str] | None) -> dict[str, float]:
    """Shares over the members in ``categories`` (all members when there are no margins)."""
    kept = counts if categories is None else {c: counts.get(c, 0) for c in categories}
    total = sum(kept.values())
    return {value: (n / total if total else 0.0) for value, n in kept.items()}


def compare(
    population: Mapping[str, Mapping[str, float]],
    pool: Mapping[str, Mapping[str, int]],
    panel: Mapping[str, Mapping[str, int]],
) -> list[FeatureComparison]:
    """One comparison per feature; the test is the panel's counts against the population."""
    out = []
    for feature in dict.fromkeys([*population, *pool, *panel]):
        shares = {str(k): float(v) for k, v in population.get(feature, {}).items()}
        pool_counts = {str(k): n for k, n in pool.get(feature, {}).items()}
        panel_counts = {str(k): n for k, n in panel.get(feature, {}).items()}
        fit = None
        if shares and sum(shares.values()) > 0:
            fit = composition_fit(feature, shares, _expand(panel_counts))
        margins = [c.category for c in fit.categories] if fit is not None else None
        population_share = {c.category: c.population_share for c in fit.categories} if fit else {}
        pool_share = _shares(pool_counts, margins)
        panel_share = _shares(panel_counts, margins)
        values = list(dict.fromkeys([*shares, *pool_counts, *panel_counts]))
        rows = tuple(
            Row(
                value,
                population_share.get(value),
                pool_counts.get(value, 0),
                pool_share.get(value),
                panel_counts.get(value, 0),
                panel_share.get(value),
            )
            for value in values
        )
        out.append(FeatureComparison(feature, rows, fit))
    return out


@dataclass(frozen=True)
class ProbabilitySummary:
    count: int
    minimum: float
    maximum: float
    mean: float
    bins: tuple[tuple[float, float, int], ...]


def probability_summary(probabilities: Mapping[str, float], bins: int = 10) -> ProbabilitySummary:
    """Smallest, largest and mean chance, and a histogram of the chances.

    Equal chances (a uniform lottery: 12 of 30 volunteers all at 0.4, stored as
    0.39999999999999997 and 0.4) make one bin: numpy cannot split a range narrower than
    its floating-point spacing into ten.
    """
    values = np.fromiter(probabilities.values(), dtype=float)
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-9 * max(1.0, abs(high)):
        table: tuple[tuple[float, float, int], ...] = ((low, high, int(values.size)),)
    else:
        counts, edges = np.histogram(values, bins=bins)
        table = tuple((float(edges[i]), float(edges[i + 1]), int(c)) for i, c in enumerate(counts))
    return ProbabilitySummary(len(values), low, high, float(values.mean()), table)
