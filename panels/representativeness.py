"""Population vs pool vs panel per feature, with a chi-square goodness-of-fit test."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Row:
    value: str
    population_share: float | None
    pool_count: int
    pool_share: float
    panel_count: int
    panel_share: float


@dataclass(frozen=True)
class FeatureComparison:
    feature: str
    rows: tuple[Row, ...]
    chi2: float | None
    dof: int | None
    p_value: float | None


def _share(n: int, total: int) -> float:
    return n / total if total else 0.0


def compare(
    population: Mapping[str, Mapping[str, float]],
    pool: Mapping[str, Mapping[str, int]],
    panel: Mapping[str, Mapping[str, int]],
) -> list[FeatureComparison]:
    """One comparison per feature; the test is panel counts vs population shares."""
    features = list(dict.fromkeys([*population, *pool, *panel]))
    out = []
    for feature in features:
        shares = population.get(feature, {})
        pool_c = pool.get(feature, {})
        panel_c = panel.get(feature, {})
        values = list(dict.fromkeys([*shares, *pool_c, *panel_c]))
        pool_n, panel_n = sum(pool_c.values()), sum(panel_c.values())
        rows = tuple(
            Row(
                v,
                shares.get(v),
                pool_c.get(v, 0),
                _share(pool_c.get(v, 0), pool_n),
                panel_c.get(v, 0),
                _share(panel_c.get(v, 0), panel_n),
            )
            for v in values
        )
        chi2 = dof = p = None
        tested = [r for r in rows if r.population_share]
        if shares and panel_n and len(tested) >= 2:
            observed = np.array([r.panel_count for r in tested], dtype=float)
            expected = np.array([r.population_share for r in tested], dtype=float)
            expected = expected / expected.sum() * observed.sum()
            result = stats.chisquare(observed, expected)
            chi2, p, dof = float(result.statistic), float(result.pvalue), len(tested) - 1
        out.append(FeatureComparison(feature, rows, chi2, dof, p))
    return out


@dataclass(frozen=True)
class ProbabilitySummary:
    count: int
    minimum: float
    maximum: float
    mean: float
    bins: tuple[tuple[float, float, int], ...]


def probability_summary(probabilities: Mapping[str, float], bins: int = 10) -> ProbabilitySummary:
    values = np.fromiter(probabilities.values(), dtype=float)
    counts, edges = np.histogram(values, bins=bins)
    return ProbabilitySummary(
        len(values),
        float(values.min()),
        float(values.max()),
        float(values.mean()),
        tuple((float(edges[i]), float(edges[i + 1]), int(c)) for i, c in enumerate(counts)),
    )
