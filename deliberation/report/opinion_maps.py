"""The opinion maps in the report: each kept map's groups, who is in them, what they stand
for, what the room agrees on, and how the map changed from one session to the next.

Plain Python on the report's data; the figures are those the room's kept map holds
(docs/opinion-map.md), so the report shows the map the room saw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from deliberation.report.data import OpinionMapData
from panels.strata import STRATA


@dataclass(frozen=True)
class MapStatement:
    """A representative or consensus statement with its figures from the map."""

    statement: int
    text: str
    side: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float
    repness: float | None = None


@dataclass(frozen=True)
class MapGroup:
    """An opinion group: its size, its members by region, gender and age band (panel
    strata; ``unknown`` counts members who are not on the panel), and its statements."""

    id: int
    size: int
    composition: Mapping[str, Mapping[str, int]]
    unknown: int
    representative: tuple[MapStatement, ...]


@dataclass(frozen=True)
class MapSummary:
    session: str
    session_kind: str
    room: str
    seed: int
    participants: int
    clustered: int
    statements: int
    votes: int
    groups: tuple[MapGroup, ...]
    consensus: tuple[MapStatement, ...]
    points: tuple[tuple[float, float, int | None], ...]  # x, y, group
    group_of: Mapping[int, int | None]  # participant (user id) -> group
    consensus_status: Mapping[str, str]  # statement text -> agree / disagree / none


@dataclass(frozen=True)
class MapChange:
    """From one map to the next: the number of groups, and for the participants in both,
    how many of each earlier group are in each later group (``crossing``: (before, after,
    count), None for not clustered); for the statements in both (same text), how many
    changed consensus status (agree, disagree or neither)."""

    before: str
    after: str
    groups_before: int
    groups_after: int
    common_participants: int
    crossing: tuple[tuple[int | None, int | None, int], ...]
    same_group_share: float | None  # share of the common clustered in their best-matched group
    common_statements: int
    consensus_changed: int

    @property
    def consensus_changed_share(self) -> float | None:
        return self.consensus_changed / self.common_statements if self.common_statements else None


def _label(m: OpinionMapData) -> str:
    return f"{m.session} · {m.room}" if m.room else m.session


def _statement(raw: Mapping, texts: Mapping[int, str], side: str | None = None) -> MapStatement:
    return MapStatement(
        statement=raw["statement"],
        text=texts.get(raw["statement"], raw.get("text") or ""),
        side=side or raw.get("repful_for", "agree"),
        n_success=int(raw["n_success"]),
        n_trials=int(raw["n_trials"]),
        p_success=float(raw["p_success"]),
        repness=float(raw["repness"]) if raw.get("repness") is not None else None,
    )


def summarise_map(m: OpinionMapData) -> MapSummary:
    """One kept map's groups with their composition and statements, and its consensus."""
    result = m.result
    people = result.get("participants", [])
    group_of = {p["id"]: p["group"] for p in people}
    groups = []
    for g in result.get("groups", []):
        members = [pid for pid, gid in group_of.items() if gid == g["id"]]
        composition = {
            feature: dict(
                sorted(
                    Counter(m.strata[pid][feature] for pid in members if pid in m.strata).items()
                )
            )
            for feature in STRATA
        }
        groups.append(
            MapGroup(
                id=g["id"],
                size=g["size"],
                composition=composition,
                unknown=sum(1 for pid in members if pid not in m.strata),
                representative=tuple(_statement(s, m.texts) for s in g["representative"]),
            )
        )
    consensus = result.get("consensus", {})
    agreed = tuple(_statement(s, m.texts, "agree") for s in consensus.get("agree", []))
    disagreed = tuple(_statement(s, m.texts, "disagree") for s in consensus.get("disagree", []))
    status = {text: "none" for sid, text in m.texts.items()}
    for s in (*agreed, *disagreed):
        status[s.text] = s.side
    summary = result.get("summary", {})
    return MapSummary(
        session=m.session,
        session_kind=m.session_kind,
        room=m.room,
        seed=m.seed,
        participants=summary.get("participants", len(people)),
        clustered=summary.get("clustered", 0),
        statements=summary.get("statements", 0),
        votes=summary.get("votes", m.vote_count),
        groups=tuple(groups),
        consensus=agreed + disagreed,
        points=tuple(
            (float(p["x"]), float(p["y"]), p["group"])
            for p in people
            if p["x"] is not None and p["y"] is not None
        ),
        group_of=group_of,
        consensus_status=status,
    )


def map_change(before: MapSummary, after: MapSummary, labels: tuple[str, str]) -> MapChange:
    """How the map changed between two sessions' maps, for what they have in common."""
    common = sorted(set(before.group_of) & set(after.group_of))
    crossing = Counter((before.group_of[p], after.group_of[p]) for p in common)
    clustered = [(a, b) for (a, b) in crossing.elements() if a is not None and b is not None]
    best: Counter = Counter()
    for (a, b), n in crossing.items():
        if a is not None and b is not None:
            best[a] = max(best[a], n)
    texts = sorted(set(before.consensus_status) & set(after.consensus_status))
    changed = sum(1 for t in texts if before.consensus_status[t] != after.consensus_status[t])
    return MapChange(
        before=labels[0],
        after=labels[1],
        groups_before=len(before.groups),
        groups_after=len(after.groups),
        common_participants=len(common),
        crossing=tuple(
            (a, b, n)
            for (a, b), n in sorted(
                crossing.items(),
                key=lambda kv: (kv[0][0] is None, kv[0][0] or 0, kv[0][1] is None, kv[0][1] or 0),
            )
        ),
        same_group_share=sum(best.values()) / len(clustered) if clustered else None,
        common_statements=len(texts),
        consensus_changed=changed,
    )


@dataclass(frozen=True)
class OpinionMapsAnalysis:
    maps: tuple[tuple[str, MapSummary], ...]  # (label, summary) in session order
    changes: tuple[MapChange, ...]


def analyse_opinion_maps(maps: Sequence[OpinionMapData]) -> OpinionMapsAnalysis:
    """Every kept map summarised, and the change from each map to the next one's session."""
    summaries = tuple((_label(m), summarise_map(m)) for m in maps)
    changes = tuple(
        map_change(a, b, (la, lb))
        for (la, a), (lb, b) in zip(summaries, summaries[1:], strict=False)
    )
    return OpinionMapsAnalysis(maps=summaries, changes=changes)
