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
    """A group's recommendation with the share of the panel that supports it (0-1)."""

    group: str
    text: str
    support: float | None = None
    votes: int | None = None


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
