"""Panel-wave weights to the first-stage poll, as the 2017 Shin-Kori deliberation reported them.

Each wave's respondents are raked to the poll's weighted distribution of gender, age band,
region and initial opinion (the panelist's first-wave answer to the headline opinion item).
Plain arrays in, results out: ``deliberation.report_data.analyse`` supplies the arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from surveys.weighting import WeightingError, margin_of_error, rake

OPINION = "opinion"


def opinion_band(value: float, low: float, high: float) -> str:
    """An ordinal answer as below, at or above the scale's midpoint ('' = no answer)."""
    if value is None or np.isnan(value):
        return ""
    middle = (low + high) / 2
    if value < middle:
        return "low"
    if value > middle:
        return "high"
    return "middle"


def weighted_distribution(labels: Sequence[str], weights: Sequence[float] | None) -> dict:
    """Weighted shares of each non-empty label (the poll's margins for the panel)."""
    arr = np.asarray(labels, dtype=object)
    w = np.ones(arr.size) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = arr != ""
    total = float(w[keep].sum())
    if total <= 0:
        return {}
    shares: dict[str, float] = {}
    for label, weight in zip(arr[keep].tolist(), w[keep].tolist(), strict=True):
        shares[label] = shares.get(label, 0.0) + weight / total
    return shares


@dataclass(frozen=True)
class WeightedShare:
    item: str
    n: int
    unweighted: float
    weighted: float


@dataclass(frozen=True)
class WaveWeights:
    """One wave weighted to the poll: who could be weighted and what weighting cost."""

    wave: str
    respondents: int
    n: int
    design_effect: float | None
    effective_n: float | None
    margin_of_error: float | None
    shares: tuple[WeightedShare, ...] = ()
    error: str = ""


def weight_wave(
    wave: str,
    respondents: Sequence[str],
    attributes: Mapping[str, Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    indicators: Mapping[str, Mapping[str, float]],
) -> WaveWeights:
    """Rake one wave's respondents to the margins; shares of each 0/1 indicator both ways.

    Respondents missing a weighting variable (or in a category the poll lacks) cannot be
    weighted and are left out of ``n``; poll categories no respondent of the wave is in are
    dropped and the remaining shares rescaled to 1; a wave that cannot be raked reports why.
    """
    used = [v for v in margins if margins[v]]
    people = [
        p for p in respondents if all(attributes.get(v, {}).get(p, "") in margins[v] for v in used)
    ]
    empty = WaveWeights(wave, len(respondents), len(people), None, None, None)
    if not used or not people:
        return empty
    data = {v: [attributes[v][p] for p in people] for v in used}
    present = {v: {c: s for c, s in margins[v].items() if c in set(data[v])} for v in used}
    targets = {}
    for v, dist in present.items():
        total = sum(dist.values())
        targets[v] = {c: s / total for c, s in dist.items()}
    try:
        result = rake(data, targets, best_effort=True)
    except WeightingError as error:
        return WaveWeights(wave, len(respondents), len(people), None, None, None, error=str(error))
    weight_of = dict(zip(people, result.weights.tolist(), strict=True))
    shares = []
    for item, of_person in indicators.items():
        answered = [p for p in people if p in of_person and not np.isnan(of_person[p])]
        if not answered:
            continue
        x = np.array([of_person[p] for p in answered])
        w = np.array([weight_of[p] for p in answered])
        shares.append(
            WeightedShare(item, len(answered), float(x.mean()), float(np.dot(w, x) / w.sum()))
        )
    return WaveWeights(
        wave=wave,
        respondents=len(respondents),
        n=len(people),
        design_effect=result.design_effect,
        effective_n=result.effective_n,
        margin_of_error=margin_of_error(result.effective_n),
        shares=tuple(shares),
    )
