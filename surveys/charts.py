"""Charts of survey results as SVG (matplotlib, Agg), for the report page and its PDF.

Plain data in, an SVG string out; no Django. For the page, text is drawn as
glyph outlines of the bundled NanumGothic font, so Korean renders identically in every
browser without depending on the viewer's fonts; for the PDF (``text_as_paths=False``)
text stays text in that font family, which the PDF embeds once. Each SVG carries an
accessible name (role="img" + aria-label, or aria-labelledby its caption); the page shows
the same numbers in a table.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from deliberation.core.svg import without_inline_styles  # noqa: E402
from surveys.fonts import register_with_matplotlib  # noqa: E402

# Colour-blind-safe diverging palette (ColorBrewer RdBu) and a qualitative one (Okabe-Ito).
NEGATIVE = ("#b2182b", "#ef8a62", "#fddbc7")
NEUTRAL = "#d9d9d9"
POSITIVE = ("#d1e5f0", "#67a9cf", "#2166ac")
QUALITATIVE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
POPULATION_COLOUR = "#999999"
PANEL_COLOUR = "#0072B2"
WIDTH_IN = 7.0
TICK_FONT = 7.5  # wave titles under a narrow chart

_lock = threading.Lock()  # rcParams are global; charts may be drawn from a worker thread


@dataclass(frozen=True)
class LikertRow:
    """One bar of a diverging chart: an item's answer counts in one wave, in scale order."""

    label: str
    wave: str
    counts: Sequence[float]


def _rc(text_as_paths: bool = True) -> dict:
    family = register_with_matplotlib()
    return {
        "font.family": [family, "DejaVu Sans"],
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.fonttype": "path" if text_as_paths else "none",
        "svg.hashsalt": "gongnon",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(fig: Figure, title: str, label_id: str = "") -> str:
    """The chart's SVG, named by its title, or by the element ``label_id`` when the page
    shows the title (a caption can mark a Korean wave name with its language; an
    attribute cannot). Matplotlib's metadata is left out: it is never shown."""
    buffer = io.StringIO()
    metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata=metadata)
    text = without_inline_styles(buffer.getvalue())
    text = text[text.index("<svg") :]
    # Several charts share one HTML page: make every id (and reference to it) unique.
    prefix = "c" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] + "-"
    text = re.sub(r'\b(id="|href="#|url\(#)', lambda m: m.group(1) + prefix, text)
    if label_id:
        name = f'aria-labelledby="{escape(label_id, quote=True)}"'
    else:
        name = f'aria-label="{escape(title, quote=True)}"'
    text = re.sub(r"<svg ", f'<svg role="img" {name} class="chart" ', text, count=1)
    if label_id:
        return text
    return text.replace(">", f"><title>{escape(title)}</title>", 1)


def _columns(text: str) -> int:
    """Width of text in half-em columns: a Korean (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _greedy_lines(words: Sequence[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and _columns(lines[-1]) + 1 + _columns(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def wrap_label(text: str, width: int) -> str:
    """Break a label at spaces into lines of at most ``width`` columns, evenly filled.

    Long wave titles ("시민참여단 3차 조사 (시민대토론회 후)") would otherwise run into their
    neighbours on an axis. The lines are balanced (no lone last word) and a word longer
    than ``width`` keeps a line of its own.
    """
    if _columns(text) <= width:
        return text
    words = text.split()
    needed = len(_greedy_lines(words, width))
    for trial in range(max(1, math.ceil(_columns(text) / needed)), width + 1):
        lines = _greedy_lines(words, trial)
        if len(lines) <= needed:
            return "\n".join(lines)
    return "\n".join(_greedy_lines(words, width))


def _tick_columns(axis_inches: float, ticks: int, fontsize: float) -> int:
    """How many half-em columns of text fit under one of ``ticks`` evenly spaced ticks."""
    return max(8, int(axis_inches * 72 / max(ticks, 1) / (fontsize / 2)))


def _split_scale(k: int) -> tuple[list[int], int | None, list[int]]:
    """Indices of the negative, neutral (middle of an odd scale) and positive categories."""
    half = k // 2
    neutral = half if k % 2 else None
    return list(range(half)), neutral, list(range(k - half, k))


def _ramp(palette: Sequence[str], n: int, darkest_first: bool) -> list[str]:
    """n colours from a three-step ramp, the strongest answers in the darkest shade."""
    ordered = list(palette) if darkest_first else list(palette)[::-1]  # darkest first
    picked = [ordered[min(i, len(ordered) - 1)] for i in range(n)]
    return picked if darkest_first else picked[::-1]


def diverging_likert(
    rows: Sequence[LikertRow],
    categories: Sequence[str],
    title: str,
    *,
    text_as_paths: bool = True,
    label_id: str = "",
) -> str:
    """Diverging stacked bars: disagreeing answers to the left of 0, agreeing to the right."""
    k = len(categories)
    if k < 2:
        raise ValueError("a Likert chart needs at least two answer categories")
    for row in rows:
        if len(row.counts) != k:
            raise ValueError(f"{row.label} ({row.wave}) has {len(row.counts)} counts for {k}")
    neg, neutral, pos = _split_scale(k)
    neg_colours = _ramp(NEGATIVE, len(neg), darkest_first=True)
    pos_colours = _ramp(POSITIVE, len(pos), darkest_first=False)
    with _lock, rc_context(_rc(text_as_paths)):
        height = 0.9 + 0.32 * len(rows)
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        y_labels = []
        for y, row in enumerate(reversed(rows)):
            total = float(sum(row.counts)) or 1.0
            share = [100.0 * c / total for c in row.counts]
            left = -sum(share[i] for i in neg) - (share[neutral] / 2 if neutral is not None else 0)
            order = [*neg, *([neutral] if neutral is not None else []), *pos]
            for j in order:
                if j in neg:
                    colour = neg_colours[neg.index(j)]
                elif j == neutral:
                    colour = NEUTRAL
                else:
                    colour = pos_colours[pos.index(j)]
                ax.barh(y, share[j], left=left, color=colour, height=0.8, edgecolor="white")
                if share[j] >= 8:
                    ax.text(
                        left + share[j] / 2,
                        y,
                        f"{share[j]:.0f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if colour in (NEGATIVE[0], POSITIVE[-1]) else "black",
                    )
                left += share[j]
            y_labels.append(f"{row.label} · {row.wave}")
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(range(len(rows)), y_labels)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
        ax.set_title(title, loc="left", fontsize=10, pad=24)
        handles = [
            Patch(
                color=(
                    neg_colours[neg.index(j)]
                    if j in neg
                    else NEUTRAL
                    if j == neutral
                    else pos_colours[pos.index(j)]
                ),
                label=categories[j],
            )
            for j in range(k)
        ]
        ax.legend(
            handles=handles,
            loc="lower left",
            ncol=k,
            frameon=False,
            fontsize=8,
            bbox_to_anchor=(0.0, 1.0),
            borderaxespad=0.2,
            handlelength=1.2,
            columnspacing=1.0,
        )
        return _svg(fig, title, label_id)


def proportion_slopes(
    series: Mapping[str, Mapping[str, float]],
    waves: Sequence[str],
    title: str,
    *,
    text_as_paths: bool = True,
    label_id: str = "",
) -> str:
    """A line per item joining its share (0-1) in each wave; a gap where a wave is missing."""
    if not waves:
        raise ValueError("a slope chart needs at least one wave")
    with _lock, rc_context(_rc(text_as_paths)):
        height = 3.2 + 0.15 * len(series)
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.add_subplot()
        x = list(range(len(waves)))
        lines = {
            label: [100.0 * shares[w] if w in shares else float("nan") for w in waves]
            for label, shares in series.items()
        }
        # Close shares would print their labels on top of each other: spread them apart by
        # about a line of 7-point text (in percentage points of this axis).
        gap = 9.0 / (height * 0.77 * 72 / 105)
        label_y = {label: list(y) for label, y in lines.items()}
        for xi in x:
            at = {label: y[xi] for label, y in lines.items() if y[xi] == y[xi]}
            for label, yi in zip(at, _spread(list(at.values()), gap), strict=True):
                label_y[label][xi] = yi
        for n, (label, y) in enumerate(lines.items()):
            colour = QUALITATIVE[n % len(QUALITATIVE)]
            ax.plot(x, y, marker="o", color=colour, label=wrap_label(label, 48), linewidth=1.8)
            for xi, yi in zip(x, y, strict=True):
                if yi == yi:
                    ax.annotate(
                        f"{yi:.0f}%",
                        (xi, label_y[label][xi]),
                        textcoords="offset points",
                        xytext=(0, 6),
                        ha="center",
                        fontsize=7,
                        color=colour,
                    )
        columns = _tick_columns(WIDTH_IN * 0.75, len(waves), 9)
        ax.set_xticks(x, [wrap_label(w, columns) for w in waves])
        ax.set_xlim(-0.3, len(waves) - 0.7)
        top = max([105.0, *(v + gap for ys in label_y.values() for v in ys if v == v)])
        ax.set_ylim(0, top)
        ax.set_ylabel("%")
        ax.set_title(title, loc="left", fontsize=10)
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8, labelspacing=0.9
        )
        return _svg(fig, title, label_id)


def _spread(values: Sequence[float], gap: float) -> list[float]:
    """Label positions for ``values`` that do not collide: values closer than ``gap`` form a
    cluster whose labels stack upwards from the cluster's highest point (so no label sits on
    another line's marker), in the order of their values."""
    if not values:
        return []
    order = sorted(range(len(values)), key=lambda k: values[k])
    out = list(values)
    cluster: list[int] = []
    for k in [*order, None]:
        if k is not None and (not cluster or values[k] - values[cluster[-1]] < gap):
            cluster.append(k)
            continue
        base = values[cluster[-1]]
        for rank, member in enumerate(cluster):
            out[member] = base + rank * gap
        cluster = [k] if k is not None else []
    for below, k in zip(order, order[1:], strict=False):
        out[k] = max(out[k], out[below] + gap)
    return out


def representativeness_bars(
    categories: Sequence[str],
    population: Sequence[float],
    panel: Sequence[float],
    title: str,
    labels: tuple[str, str] = ("Population", "Panel"),
    *,
    text_as_paths: bool = True,
    label_id: str = "",
) -> str:
    """Population share next to panel share (0-1) for each category of one feature."""
    if not (len(categories) == len(population) == len(panel)):
        raise ValueError("categories, population and panel must have the same length")
    with _lock, rc_context(_rc(text_as_paths)):
        fig = Figure(figsize=(WIDTH_IN * 0.8, 0.8 + 0.32 * len(categories)))
        ax = fig.add_subplot()
        ys = list(range(len(categories)))[::-1]
        h = 0.4
        for offset, values, colour, label in (
            (h / 2, population, POPULATION_COLOUR, labels[0]),
            (-h / 2, panel, PANEL_COLOUR, labels[1]),
        ):
            bars = ax.barh([y + offset for y in ys], [100 * v for v in values], h, color=colour)
            bars.set_label(label)
            for y, v in zip(ys, values, strict=True):
                ax.text(100 * v + 0.5, y + offset, f"{100 * v:.1f}%", va="center", fontsize=7)
        ax.set_yticks(ys, list(categories))
        ax.set_xlim(0, max([*(100 * v for v in population), *(100 * v for v in panel), 1]) * 1.2)
        ax.set_xlabel("%")
        ax.set_title(title, loc="left", fontsize=10)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        return _svg(fig, title, label_id)


def knowledge_change(
    waves: Sequence[str],
    means: Sequence[float | None],
    title: str,
    ylabel: str = "% correct",
    *,
    text_as_paths: bool = True,
    label_id: str = "",
) -> str:
    """Mean share of knowledge questions answered correctly, per wave."""
    if len(waves) != len(means):
        raise ValueError("one mean per wave")
    with _lock, rc_context(_rc(text_as_paths)):
        fig = Figure(figsize=(WIDTH_IN * 0.6, 2.8))
        ax = fig.add_subplot()
        values = [100.0 * m if m is not None else 0.0 for m in means]
        x = list(range(len(waves)))
        ax.bar(x, values, color=PANEL_COLOUR, width=0.6)
        columns = _tick_columns(WIDTH_IN * 0.6 * 0.8, len(waves), TICK_FONT)
        ax.set_xticks(x, [wrap_label(w, columns) for w in waves], fontsize=TICK_FONT)
        for x, (v, m) in enumerate(zip(values, means, strict=True)):
            ax.text(x, v + 1.5, "–" if m is None else f"{v:.0f}%", ha="center", fontsize=8)
        ax.set_ylim(0, 110)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left", fontsize=10)
        return _svg(fig, title, label_id)


def funnel_bars(
    steps: Sequence[str],
    counts: Sequence[int],
    title: str,
    *,
    text_as_paths: bool = True,
    label_id: str = "",
) -> str:
    """The recruitment funnel: one bar per step, top to bottom, labelled with its count and
    its share of the first step."""
    if len(steps) != len(counts):
        raise ValueError("one count per step")
    with _lock, rc_context(_rc(text_as_paths)):
        fig = Figure(figsize=(WIDTH_IN * 0.8, 0.8 + 0.34 * max(len(steps), 1)))
        ax = fig.add_subplot()
        ys = list(range(len(steps)))[::-1]
        ax.barh(ys, list(counts), 0.6, color=PANEL_COLOUR)
        first = counts[0] if counts else 0
        top = max([*counts, 1])
        for y, n in zip(ys, counts, strict=True):
            share = f" ({100 * n / first:.1f}%)" if first else ""
            ax.text(n + top * 0.01, y, f"{n:,}{share}", va="center", fontsize=7)
        ax.set_yticks(ys, [wrap_label(s, 24) for s in steps])
        ax.set_xlim(0, top * 1.35)
        ax.set_title(title, loc="left", fontsize=10)
        return _svg(fig, title, label_id)


MARKERS = ("o", "s", "^", "D", "v", "P")


def opinion_scatter(
    points: Sequence[tuple[float, float, int | None]],
    group_names: Mapping[int, str],
    title: str,
    *,
    unclustered: str = "Not clustered",
    text_as_paths: bool = True,
    label_id: str = "",
) -> str:
    """An opinion map: each participant a point, each group its own colour and shape (so a
    reader who cannot tell the colours apart still tells the groups), in a legend."""
    with _lock, rc_context(_rc(text_as_paths)):
        fig = Figure(figsize=(WIDTH_IN * 0.62, WIDTH_IN * 0.5))
        ax = fig.add_subplot()
        for index, (group, name) in enumerate(sorted(group_names.items())):
            xs = [x for x, _, g in points if g == group]
            ys = [y for _, y, g in points if g == group]
            ax.scatter(
                xs,
                ys,
                s=18,
                marker=MARKERS[index % len(MARKERS)],
                color=QUALITATIVE[index % len(QUALITATIVE)],
                label=f"{name} ({len(xs)})",
                alpha=0.85,
                linewidths=0,
            )
        rest = [(x, y) for x, y, g in points if g is None]
        if rest:
            ax.scatter(
                [x for x, _ in rest],
                [y for _, y in rest],
                s=14,
                marker="x",
                color=POPULATION_COLOUR,
                label=f"{unclustered} ({len(rest)})",
                linewidths=0.8,
            )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axhline(0, color=NEUTRAL, linewidth=0.6, zorder=0)
        ax.axvline(0, color=NEUTRAL, linewidth=0.6, zorder=0)
        ax.set_title(title, loc="left", fontsize=10)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        return _svg(fig, title, label_id)
