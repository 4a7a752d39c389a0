"""Population margins from a `feature,value,share[,population]` table, validated as a whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

SHARE_TOLERANCE = 1e-6

# Each problem's code and its English sentence; pages say it in their language from the
# code and parameters (panels.diagnoses), these words are for logs and commands.
ISSUE_MESSAGES = {
    "empty": "The file is empty.",
    "missing_columns": "Missing column(s): {columns}.",
    "blank": "Feature and value must not be empty.",
    "duplicate": "{feature}={value} appears twice.",
    "share_not_number": "Share '{share}' is not a number.",
    "share_out_of_range": "Share {share} is not between 0 and 1.",
    "population_not_whole": "Population '{population}' is not a whole number.",
    "shares_sum": "Shares for '{feature}' add up to {total:.6f}, not 1.",
    "unknown_region": "{region} is not one of the deliberation's regions.",
}


@dataclass(frozen=True)
class Margin:
    feature: str
    value: str
    share: float
    population: int | None = None


@dataclass(frozen=True)
class PollShare:
    """A category's share in the weighted poll, the target for a feature with no census margin."""

    value: str
    share: float
    margin_of_error: float
    respondents: int
    volunteers_share: float | None = None


@dataclass(frozen=True)
class MarginIssue:
    """One problem in a margins file; row is the 1-based line number (header = 1)."""

    row: int | None
    code: str  # a key of ISSUE_MESSAGES
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return ISSUE_MESSAGES[self.code].format(**self.params)


def parse_margins(text: str) -> tuple[list[Margin], list[MarginIssue]]:
    """Every margin, or every problem found; a file with any problem must change nothing."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [(n, r) for n, r in enumerate(reader, start=1) if any(c.strip() for c in r)]
    if not rows:
        return [], [MarginIssue(None, "empty")]
    header_line, header = rows[0]
    header = [h.strip().lower() for h in header]
    missing = [c for c in ("feature", "value", "share") if c not in header]
    if missing:
        return [], [MarginIssue(header_line, "missing_columns", {"columns": ", ".join(missing)})]
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
            issues.append(MarginIssue(line, "blank"))
            continue
        if (feature, value) in seen:
            issues.append(MarginIssue(line, "duplicate", {"feature": feature, "value": value}))
            continue
        seen.add((feature, value))
        try:
            share = float(raw_share)
        except ValueError:
            issues.append(MarginIssue(line, "share_not_number", {"share": raw_share}))
            continue
        if not 0 <= share <= 1:
            issues.append(MarginIssue(line, "share_out_of_range", {"share": raw_share}))
            continue
        population = None
        if "population" in pos and cells[pos["population"]].strip():
            raw = cells[pos["population"]].strip().replace(",", "")
            if not raw.isdigit():
                issues.append(MarginIssue(line, "population_not_whole", {"population": raw}))
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
        MarginIssue(None, "shares_sum", {"feature": feature, "total": total})
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


# The structured form takes percentages as published (rounded), so a feature may add up
# to 100 ± this much; its shares are then scaled to add up to exactly 1.
PERCENT_TOLERANCE = 0.5


def feature_percent_totals(rows: list[tuple[str, str, float]]) -> dict[str, float]:
    """Feature -> the sum of its categories' percentages, in first-seen order."""
    totals: dict[str, float] = {}
    for feature, _value, percent in rows:
        totals[feature] = totals.get(feature, 0.0) + percent
    return totals


def margins_from_percentages(
    rows: list[tuple[str, str, float]], populations: dict[tuple[str, str], int | None]
) -> list[Margin]:
    """Margins whose shares are the percentages scaled so each feature adds up to 1.

    The caller has checked that every feature adds up to 100 within PERCENT_TOLERANCE.
    """
    totals = feature_percent_totals(rows)
    return [
        Margin(feature, value, percent / totals[feature], populations.get((feature, value)))
        for feature, value, percent in rows
        if totals[feature] > 0
    ]


def template_csv(
    categories: dict[str, list[str]],
    current: dict[tuple[str, str], Margin],
    labels: dict[tuple[str, str], str] | None = None,
) -> str:
    """A margins file to fill in: every feature and category, today's shares where known.

    The label column is for the person filling it in; reading the file ignores it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "share", "population", "label"])
    for feature, values in categories.items():
        for value in values:
            margin = current.get((feature, value))
            writer.writerow(
                [
                    feature,
                    value,
                    "" if margin is None else f"{margin.share:g}",
                    "" if margin is None or margin.population is None else margin.population,
                    (labels or {}).get((feature, value), ""),
                ]
            )
    return out.getvalue()
