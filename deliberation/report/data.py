"""What the policy-recommendation report is made of: plain dataclasses, no Django.

``deliberation.report.selectors.build_report_data`` fills a ``ReportData`` from the
database, tests and the benchmark fill it directly, and everything shown (tables,
charts, sentences, JSON, XLSX, PDF) is computed from it by
``deliberation.report.analysis.analyse``. Sections whose data does not exist yet (no
poll, no panel waves, no attendance, no recommendations) are empty and the report says so.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from panels.funnel import FunnelStep
from panels.representativeness import CompositionFit
from surveys.answer_sets import PollItems, PollResults, WaveData


@dataclass(frozen=True)
class StageRow:
    kind: str
    label: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    status: str
    status_label: str


@dataclass(frozen=True)
class SessionRow:
    kind: str
    kind_label: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    group_count: int
    member_count: int


@dataclass(frozen=True)
class AttendanceRow:
    """How many of the panelists expected at a session came."""

    session: str
    expected: int
    attended: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.expected if self.expected else None


@dataclass(frozen=True)
class ProcessSummary:
    stages: tuple[StageRow, ...] = ()
    sessions: tuple[SessionRow, ...] = ()
    panel_size: int = 0
    panel_by_status: Mapping[str, int] = field(default_factory=dict)
    attendance: tuple[AttendanceRow, ...] = ()


@dataclass(frozen=True)
class RecommendationRow:
    """A group's recommendation and its support: ``votes`` supporters, ``support`` their
    share of the group's members and ``panel_support`` their share of the whole panel."""

    group: str
    text: str
    support: float | None = None
    votes: int | None = None
    session: str = ""
    group_size: int | None = None
    panel_support: float | None = None
    pk: int | None = None


@dataclass(frozen=True)
class OpinionMapData:
    """A room's kept opinion map (forum ``OpinionMapSnapshot``): ``result`` is the map as
    docs/opinion-map.md describes it (participant ids are user ids, statement ids the
    statements' ids), ``texts`` the statements' texts and ``strata`` each participant's
    region, gender and age band from the panel."""

    session: str
    session_kind: str
    room: str
    starts_at: datetime.datetime
    seed: int
    computed_at: datetime.datetime
    vote_count: int
    result: Mapping
    texts: Mapping[int, str] = field(default_factory=dict)
    strata: Mapping[int, Mapping[str, str]] = field(default_factory=dict)


# The stages whose work fills each report section, first match named when it is empty.
SECTION_STAGES: Mapping[str, tuple[str, ...]] = {
    "attendance": ("regional_forums", "plenary", "expert_debate"),
    "poll": ("poll",),
    "representativeness": ("panel", "poll"),
    "waves": ("surveys",),
    "recommendations": ("regional_forums", "plenary"),
    "opinion_maps": ("regional_forums", "plenary"),
    "evaluation": ("surveys",),
}


@dataclass(frozen=True)
class ReportData:
    slug: str
    title: str
    agenda: str
    city: str
    is_demo: bool
    generated_at: datetime.datetime
    process: ProcessSummary = field(default_factory=ProcessSummary)
    representativeness: tuple[CompositionFit, ...] = ()
    poll: PollResults | None = None
    poll_items: PollItems | None = None
    waves: WaveData | None = None
    recommendations: tuple[RecommendationRow, ...] = ()
    narratives: Mapping[str, str] = field(default_factory=dict)
    # Process-evaluation item (E1..) of the last panel wave -> (question, answers 1-5).
    evaluation: Mapping[str, tuple[str, Sequence[float]]] = field(default_factory=dict)
    # (feature, category key) -> English name, for the deliberation's own categories
    # (its regions); panels.labels turns every key into words with them.
    category_names_en: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # The recruitment funnel's counts, poll respondents to the last panel wave.
    funnel: tuple[FunnelStep, ...] = ()
    # Each room's latest kept opinion map, in the order of the sessions.
    opinion_maps: tuple[OpinionMapData, ...] = ()

    def empty_sections(self) -> dict[str, StageRow | None]:
        """Each section with no data yet, with the stage that will fill it (if planned).

        A reader of an interim report learns which step is still to come rather than
        finding an empty table.
        """
        has_data = {
            "attendance": bool(self.process.attendance),
            "poll": self.poll is not None,
            "representativeness": bool(self.representativeness),
            "waves": self.waves is not None,
            "recommendations": bool(self.recommendations),
            "opinion_maps": bool(self.opinion_maps),
            "evaluation": bool(self.evaluation),
        }
        by_kind = {stage.kind: stage for stage in self.process.stages}
        return {
            section: next(
                (by_kind[kind] for kind in SECTION_STAGES[section] if kind in by_kind), None
            )
            for section, present in has_data.items()
            if not present
        }
