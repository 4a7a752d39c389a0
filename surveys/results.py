"""Frequencies, crosstabs and charts of poll answers, weighted and unweighted.

Independent of Django: arrays of answer codes (NaN for no answer) and weights in, tables
and chart images out. Confidence intervals use the Kish effective sample size, so a
weighted estimate's interval is as wide as the weighting makes it.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from surveys import weighting


@dataclass(frozen=True)
class Share:
    estimate: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class FrequencyRow:
    value: float
    label: str
    count: int
    unweighted: Share
    weighted: Share | None


@dataclass(frozen=True)
class Frequencies:
    rows: list[FrequencyRow]
    n: int
    effective_n: float | None
    margin_of_error: float
    weighted_margin_of_error: float | None


def _answered(values: ArrayLike, weights: ArrayLike | None):
    x = np.asarray(values, dtype=float)
    keep = ~np.isnan(x)
    w = None if weights is None else np.asarray(weights, dtype=float)[keep]
    return x[keep], w


def _share(indicator: np.ndarray, weights: np.ndarray | None) -> Share:
    estimate = weighting.weighted_proportion(indicator, weights)
    return Share(estimate.estimate, estimate.ci_low, estimate.ci_high)


def frequencies(
    values: ArrayLike, labels: Mapping[float, str], weights: ArrayLike | None = None
) -> Frequencies:
    """Each category's share with its 95% CI, unweighted and (when weights are given) weighted."""
    x, w = _answered(values, weights)
    if x.size == 0:
        return Frequencies([], 0, None, math.nan, None)
    categories = sorted(set(labels) | set(x.tolist()))
    rows = []
    for value in categories:
        indicator = x == value
        rows.append(
            FrequencyRow(
                value=value,
                label=labels.get(value, _format_value(value)),
                count=int(indicator.sum()),
                unweighted=_share(indicator, None),
                weighted=_share(indicator, w) if w is not None else None,
            )
        )
    effective = weighting.kish_effective_n(w) if w is not None else None
    return Frequencies(
        rows=rows,
        n=int(x.size),
        effective_n=effective,
        margin_of_error=weighting.margin_of_error(x.size),
        weighted_margin_of_error=weighting.margin_of_error(effective) if effective else None,
    )


def _format_value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Mean:
    n: int
    mean: float
    ci_low: float
    ci_high: float


def mean(values: ArrayLike, weights: ArrayLike | None = None) -> Mean | None:
    """(Weighted) mean with a 95% CI from the effective sample size."""
    x, w = _answered(values, weights)
    if x.size == 0:
        return None
    w = np.ones_like(x) if w is None else w
    m = float(np.average(x, weights=w))
    n_eff = weighting.kish_effective_n(w)
    if x.size < 2:
        return Mean(int(x.size), m, math.nan, math.nan)
    variance = float(np.average((x - m) ** 2, weights=w)) * x.size / (x.size - 1)
    half = 1.959963984540054 * math.sqrt(variance / n_eff)
    return Mean(int(x.size), m, m - half, m + half)


@dataclass(frozen=True)
class Crosstab:
    row_values: list[float]
    column_values: list[str]
    counts: np.ndarray  # (rows, columns), weighted when weights are given
    column_shares: np.ndarray
    chi2: float
    dof: int
    p_value: float
    weighted: bool
    n: int


def crosstab(
    values: ArrayLike, groups: Sequence[str], weights: ArrayLike | None = None
) -> Crosstab | None:
    """Answers by group with a chi-square test of independence.

    Weighted: the weighted table is rescaled to the Kish effective sample size before the
    test (a first-order design correction), so weighting cannot inflate significance.
    """
    x = np.asarray(values, dtype=float)
    g = np.asarray(list(groups), dtype=object)
    keep = ~np.isnan(x) & np.frompyfunc(bool, 1, 1)(g).astype(bool)
    x, g = x[keep], g[keep].astype(str)
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float)[keep]
    if x.size == 0:
        return None
    # Sorted categories and each answer's place among them, in numpy (a national poll's
    # 100,000 answers by region would take a Python loop a tenth of a second).
    row_values, r_codes = np.unique(x, return_inverse=True)
    column_values, c_codes = np.unique(g, return_inverse=True)
    rows = [float(v) for v in row_values]
    columns = [str(v) for v in column_values]
    table = np.bincount(
        r_codes * len(columns) + c_codes, weights=w, minlength=len(rows) * len(columns)
    ).reshape(len(rows), len(columns))
    totals = table.sum(axis=0)
    shares = np.divide(table, totals, out=np.zeros_like(table), where=totals > 0)
    chi2, p, dof = math.nan, math.nan, 0
    tested = table[table.sum(axis=1) > 0][:, totals > 0]
    if tested.shape[0] > 1 and tested.shape[1] > 1:
        scale = weighting.kish_effective_n(w) / w.sum() if weights is not None else 1.0
        chi2, p, dof, _expected = sps.chi2_contingency(tested * scale, correction=False)
    return Crosstab(
        row_values=rows,
        column_values=columns,
        counts=table,
        column_shares=shares,
        chi2=float(chi2),
        dof=int(dof),
        p_value=float(p),
        weighted=weights is not None,
        n=int(x.size),
    )


KOREAN_FONTS = ["Noto Sans CJK KR", "NanumGothic", "Malgun Gothic", "DejaVu Sans"]


@functools.cache
def _korean_fonts() -> tuple[str, ...]:
    """Installed fonts that can draw Hangul, registered with matplotlib (its cache may be old)."""
    from matplotlib import font_manager

    for path in font_manager.findSystemFonts():
        if any(mark in path for mark in ("CJK", "Nanum", "malgun")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(name for name in KOREAN_FONTS if name in known) or ("DejaVu Sans",)


def bar_chart(
    result: Frequencies,
    title: str,
    *,
    image_format: str = "svg",
    names: tuple[str, str] = ("unweighted", "weighted"),
) -> bytes:
    """Horizontal bars of the shares (weighted next to unweighted) with 95% CIs."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams["font.family"] = list(_korean_fonts())
    plt.rcParams["svg.fonttype"] = "none"
    labels = [row.label for row in result.rows]
    height = max(2.0, 0.5 * len(labels) + 1.2)
    figure = Figure(figsize=(7, height))
    axes = figure.subplots()
    positions = np.arange(len(labels))
    series = [(names[0], "#8a939c", [r.unweighted for r in result.rows])]
    if result.rows and result.rows[0].weighted is not None:
        series.append((names[1], "#0b5cad", [r.weighted for r in result.rows]))
    bar = 0.8 / len(series)
    for i, (name, color, shares) in enumerate(series):
        estimates = np.array([s.estimate for s in shares]) * 100
        errors = (
            np.array(
                [[s.estimate - s.ci_low for s in shares], [s.ci_high - s.estimate for s in shares]]
            )
            * 100
        )
        axes.barh(
            positions + (i - (len(series) - 1) / 2) * bar,
            estimates,
            height=bar,
            xerr=errors,
            color=color,
            label=name,
            capsize=2,
        )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel("%")
    axes.set_title(title[:80])
    axes.legend(loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image_format)
    return buffer.getvalue()
