"""The recruitment funnel: how many reached each step, overall and by stratum, and the
retention rate of each step from the previous one and from the first.

Plain Python, no Django: counts in, table out. The panels page fills the steps it can see
(volunteers, drawn, confirmed); the report adds the poll, the sessions and the panel waves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# The features a funnel is broken down by, in this order; "opinion" only when present.
OPINION = "opinion"
FUNNEL_FEATURES = ("region", "gender", "age_band", OPINION)


@dataclass(frozen=True)
class FunnelStep:
    """One step's count overall and per feature and category."""

    key: str
    label: str
    total: int
    by_stratum: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    count: int
    from_previous: float | None
    from_first: float | None


@dataclass(frozen=True)
class FunnelTable:
    """The overall rows, and per feature and category the same rows for that stratum."""

    rows: tuple[FunnelRow, ...]
    strata: Mapping[str, Mapping[str, tuple[FunnelRow, ...]]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _rate(count: int, base: int | None) -> float | None:
    return count / base if base else None


def _rows(steps: Sequence[tuple[str, str]], counts: Sequence[int]) -> tuple[FunnelRow, ...]:
    rows = []
    for i, ((key, label), count) in enumerate(zip(steps, counts, strict=True)):
        rows.append(
            FunnelRow(
                key=key,
                label=label,
                count=count,
                from_previous=_rate(count, counts[i - 1]) if i else None,
                from_first=_rate(count, counts[0]) if i else None,
            )
        )
    return tuple(rows)


def funnel_table(steps: Sequence[FunnelStep]) -> FunnelTable:
    """Each step with its retention from the previous step and from the first.

    A feature is broken down when any step records it; its categories are those of any
    step, in the order first seen, a category a step lacks counting 0. A rate over a step
    of 0 is None (not reported), never a division error.
    """
    names = [(s.key, s.label) for s in steps]
    overall = _rows(names, [s.total for s in steps])
    features = [f for f in FUNNEL_FEATURES if any(f in s.by_stratum for s in steps)]
    features += sorted({f for s in steps for f in s.by_stratum} - set(features))
    strata: dict[str, dict[str, tuple[FunnelRow, ...]]] = {}
    for feature in features:
        categories = list(dict.fromkeys(c for s in steps for c in s.by_stratum.get(feature, {})))
        strata[feature] = {
            category: _rows(names, [s.by_stratum.get(feature, {}).get(category, 0) for s in steps])
            for category in categories
        }
    return FunnelTable(overall, strata)


def count_step(
    key: str,
    label: str,
    people: Iterable[Mapping[str, str]],
    features: Sequence[str],
    order: Mapping[str, Sequence[str]] | None = None,
) -> FunnelStep:
    """A step from its people, each a mapping of feature to category (missing: not counted
    in that feature's breakdown). ``order`` lists a feature's categories as the
    deliberation orders them (regions as set up, age bands young to old); others follow
    as first seen, so that every table of the funnel reads in the same order."""
    total = 0
    counters: dict[str, Counter] = {f: Counter() for f in features}
    for person in people:
        total += 1
        for feature in features:
            value = person.get(feature)
            if value not in (None, ""):
                counters[feature][str(value)] += 1
    order = order or {}
    by_stratum = {}
    for feature, counter in counters.items():
        if counter:
            known = [c for c in order.get(feature, ()) if c in counter]
            rest = [c for c in counter if c not in set(known)]
            by_stratum[feature] = {c: counter[c] for c in [*known, *rest]}
    return FunnelStep(key, label, total, by_stratum)
