"""SVG charts for the representativeness report (matplotlib, no display needed)."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from deliberation.core.svg import without_inline_styles  # noqa: E402
from panels.labels import DEFAULT_LABELS, StrataLabels  # noqa: E402
from panels.representativeness import FeatureComparison  # noqa: E402

plt.rcParams["svg.fonttype"] = "none"  # keep text as text so Korean labels stay readable


def comparison_svg(
    comparisons: list[FeatureComparison],
    labels: dict[str, str],
    strata_labels: StrataLabels = DEFAULT_LABELS,
) -> str:
    """Grouped bars of population, pool and panel shares, one panel per feature.

    Axes and titles carry the features' and categories' labels, never their keys.
    """
    n = max(len(comparisons), 1)
    fig, axes = plt.subplots(n, 1, figsize=(7, 2.4 * n), squeeze=False)
    width = 0.27
    for ax, comp in zip(axes[:, 0], comparisons, strict=False):
        x = np.arange(len(comp.rows))
        series = [
            (labels["population"], [r.population_share or 0 for r in comp.rows], "#4c72b0"),
            (labels["pool"], [r.pool_share or 0 for r in comp.rows], "#dd8452"),
            (labels["panel"], [r.panel_share or 0 for r in comp.rows], "#55a868"),
        ]
        for i, (name, values, colour) in enumerate(series):
            ax.bar(x + (i - 1) * width, values, width, label=name, color=colour)
        ax.set_xticks(x, [strata_labels.category(comp.feature, r.value) for r in comp.rows])
        ax.set_title(strata_labels.feature(comp.feature))
        ax.set_ylabel(labels["share"])
        ax.legend(fontsize="small")
    out = io.StringIO()
    with warnings.catch_warnings():
        # Text stays text in the SVG; the browser draws Korean labels with its own fonts.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.tight_layout()
        fig.savefig(out, format="svg")
    plt.close(fig)
    return without_inline_styles(out.getvalue())
