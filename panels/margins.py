"""Population margins from a `feature,value,share[,population]` table, validated as a whole."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Margin:
    feature: str
    value: str
    share: float
    population: int | None = None


@dataclass(frozen=True)
class MarginIssue:
    """One problem in a margins file; row is the 1-based line number (header = 1)."""

    row: int | None
    message: str


def parse_margins(text: str) -> tuple[list[Margin], list[MarginIssue]]:
    """Every margin, or every problem found; a file with any problem must change nothing."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [(n, r) for n, r in enumerate(reader, start=1) if any(c.strip() for c in r)]
    if not rows:
        return [], [MarginIssue(None, "The file is empty.")]
    header_line, header = rows[0]
    header = [h.strip().lower() for h in header]
    missing = [c for c in ("feature", "value", "share") if c not in header]
    if missing:
        return [], [MarginIssue(header_line, f"Missing column(s): {', '.join(missing)}.")]
    pos = {h: i for i, h in enumerate(header)}
    margins: list[Margin] = []
    issues: list[MarginIssue] = []
    seen: set[tuple[str, str]] = set()
    for line, cells in rows[1:]:
        cells = cells + [""] * (len(header) - len(cells))
        feature = cells[pos["feature"]].strip()
        value = cells[pos["value"]].strip()
        raw_share = cells[pos["share"]].strip()
        if not feature or not value:
            issues.append(MarginIssue(line, "Feature and value must not be empty."))
            continue
        if (feature, value) in seen:
            issues.append(MarginIssue(line, f"{feature}={value} appears twice."))
            continue
        seen.add((feature, value))
        try:
            share = float(raw_share)
        except ValueError:
            issues.append(MarginIssue(line, f"Share '{raw_share}' is not a number."))
            continue
        if not 0 <= share <= 1:
            issues.append(MarginIssue(line, f"Share {raw_share} is not between 0 and 1."))
            continue
        population = None
        if "population" in pos and cells[pos["population"]].strip():
            raw = cells[pos["population"]].strip().replace(",", "")
            if not raw.isdigit():
                issues.append(MarginIssue(line, f"Population '{raw}' is not a whole number."))
                continue
            population = int(raw)
        margins.append(Margin(feature, value, share, population))
    issues += share_sum_issues(margins)
    return (margins if not issues else []), issues


def share_sum_issues(margins: list[Margin]) -> list[MarginIssue]:
    totals: dict[str, float] = {}
    for m in margins:
        totals[m.feature] = totals.get(m.feature, 0.0) + m.share
    return [
        MarginIssue(None, f"Shares for '{feature}' add up to {total:.6f}, not 1.")
        for feature, total in totals.items()
        if abs(total - 1) > SHARE_TOLERANCE
    ]


def margins_to_csv(margins: list[Margin]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "share", "population"])
    for m in margins:
        writer.writerow(
            [m.feature, m.value, f"{m.share:g}", "" if m.population is None else m.population]
        )
    return out.getvalue()
