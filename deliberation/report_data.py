"""What the policy-recommendation report is made of, and the statistics computed from it.

Plain dataclasses and computation, no Django: ``deliberation.report.build_report_data``
fills a ``ReportData`` from the database, tests and the benchmark fill it directly, and
everything shown (tables, charts, sentences, JSON, XLSX, PDF) is computed from it by
``analyse``. Sections whose data does not exist yet (no poll, no panel waves, no
attendance, no recommendations) are empty and the report says so.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surveys.analysis import SCHEMA_VERSION, compare_waves, comparison_dict
from surveys.composition import CompositionFit
from surveys.panel_weights import (
    OPINION,
    WaveWeights,
    opinion_band,
    weight_wave,
    weighted_distribution,
)
from surveys.process_evaluation import EvaluationResult, evaluate_item
from surveys.stats import (
    AttritionResult,
    ItemResult,
    PanelPollComparison,
    StatsError,
    WaveComparison,
    analyze_subgroups,
    attrition,
    compare_panel_to_poll,
)
from surveys.wave_files import ItemSpec, LongAnswers
from surveys.weighting import weighted_proportions

NARRATIVE_SECTIONS = (
    "summary",
    "process",
    "poll",
    "representativeness",
    "opinion_change",
    "recommendations",
    "methodology",
)


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
class PollOption:
    label: str
    estimate: float
    margin_of_error: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PollQuestion:
    """A poll question's weighted answer shares; the margin of error uses the Kish n."""

    question: str
    n: int
    effective_n: float
    options: tuple[PollOption, ...]


@dataclass(frozen=True)
class PollResults:
    wave: str
    respondents: int
    weighting: str
    design_effect: float
    effective_n: float
    questions: tuple[PollQuestion, ...] = ()


@dataclass(frozen=True)
class WaveData:
    """The panel's answers to the repeated questions, long format, waves in time order."""

    answers: LongAnswers
    items: Mapping[str, ItemSpec]
    waves: tuple[str, ...]
    wave_titles: Mapping[str, str] = field(default_factory=dict)
    # grouping (region, gender, age_band) -> panelist id -> group
    demographics: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The headline opinion item: its first-wave answer is a weighting variable. Chosen by
    # the analysts (``headline_chosen``) or, by default, the first agree-disagree or yes/no item.
    headline: str | None = None
    headline_chosen: bool = False

    def title(self, wave: str) -> str:
        return self.wave_titles.get(wave, wave)


@dataclass(frozen=True)
class PollItems:
    """The poll's answers to the items the panel also answered, coded as the panel's.

    One value per complete respondent (NaN = no answer), aligned with ``weights``.
    """

    wave: str
    values: Mapping[str, np.ndarray]
    weights: np.ndarray | None = None
    # grouping (region, gender, age_band) -> one label per respondent ('' = unknown)
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
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
    recommendations: tuple[Recommendation, ...] = ()
    narratives: Mapping[str, str] = field(default_factory=dict)
    # Process-evaluation item (E1..) of the last panel wave -> (question, answers 1-5).
    evaluation: Mapping[str, tuple[str, Sequence[float]]] = field(default_factory=dict)


def poll_question(
    question: str,
    answers: Sequence[str],
    weights: Sequence[float] | None = None,
    order: Sequence[str] | None = None,
) -> PollQuestion:
    """Weighted shares of each answer to one poll question ('' = no answer, left out)."""
    labels = np.asarray(answers, dtype=object)
    keep = labels != ""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[keep]
    estimates = weighted_proportions(labels[keep], w)
    first = next(iter(estimates.values()))
    names = list(order) if order is not None else list(estimates)
    return PollQuestion(
        question=question,
        n=first.n,
        effective_n=first.effective_n,
        options=tuple(
            PollOption(
                label=str(name),
                estimate=estimates[name].estimate,
                margin_of_error=estimates[name].margin_of_error,
                ci_low=estimates[name].ci_low,
                ci_high=estimates[name].ci_high,
            )
            for name in names
            if name in estimates
        ),
    )


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


# A subgroup's result on fewer pairs than this is not reported: with a handful of panelists
# one changed answer swings the effect size, so the report says "too few to report" instead.
MIN_SUBGROUP_PAIRS = 10


def too_few_to_report(result: ItemResult) -> bool:
    """Whether a subgroup's result rests on too few pairs to be shown."""
    return result.n_pairs < MIN_SUBGROUP_PAIRS


@dataclass(frozen=True)
class WaveAnalysis:
    """Paired comparisons (consecutive waves, and first to last) plus per-wave summaries.

    ``subgroups`` repeats the headline comparison within each region, gender and age band;
    ``attrition`` compares who stayed from the first to the last wave with who left.
    """

    data: WaveData
    comparisons: tuple[WaveComparison, ...]
    headline: WaveComparison | None
    respondents: Mapping[str, int]
    shares: Mapping[str, Mapping[str, float]]
    knowledge_by_wave: Mapping[str, float | None]
    subgroups: Mapping[str, Mapping[str, WaveComparison]] = field(default_factory=dict)
    attrition: AttritionResult | None = None


@dataclass(frozen=True)
class PanelPollRow:
    """One item of one panel wave against the weighted poll."""

    item: str
    wave: str
    comparison: PanelPollComparison


@dataclass(frozen=True)
class ReportAnalysis:
    data: ReportData
    waves: WaveAnalysis | None
    panel_vs_poll: tuple[PanelPollRow, ...] = ()
    panel_weights: tuple[WaveWeights, ...] = ()
    evaluation: tuple[EvaluationResult, ...] = ()


def wave_pairs(waves: Sequence[str]) -> list[tuple[str, str]]:
    """Each wave against the next, and the first against the last when they differ."""
    pairs = list(zip(waves, waves[1:], strict=False))
    if len(waves) > 2:
        pairs.append((waves[0], waves[-1]))
    return pairs


def _per_wave(data: WaveData) -> tuple[dict, dict, dict]:
    """Respondents per wave; share of 1s (binary) or correct (knowledge); knowledge index."""
    ids, waves, items = data.answers.arrays
    values = data.answers.value
    people, p = np.unique(ids, return_inverse=True)
    respondents: dict[str, int] = {}
    shares: dict[str, dict[str, float]] = {}
    knowledge = [name for name, spec in data.items.items() if spec.type == "knowledge"]
    in_wave = {w: waves == w for w in data.waves}
    for w, mask in in_wave.items():
        respondents[w] = int(np.unique(p[mask]).size)
    for name, spec in data.items.items():
        if spec.type not in ("binary", "knowledge"):
            continue
        target = spec.correct if spec.type == "knowledge" else 1.0
        of_item = items == name
        row = {}
        for w, mask in in_wave.items():
            v = values[of_item & mask]
            v = v[~np.isnan(v)]
            if v.size:
                row[w] = float(np.mean(v == target))
        shares[name] = row
    knowledge_by_wave: dict[str, float | None] = {}
    correct = np.zeros(values.size, dtype=bool)
    for name in knowledge:
        of_item = items == name
        correct |= of_item & (values == data.items[name].correct)
    for w, mask in in_wave.items():
        present = np.unique(p[mask])
        if not knowledge or present.size == 0:
            knowledge_by_wave[w] = None
            continue
        per_person = np.bincount(p[mask & correct], minlength=people.size)[present]
        knowledge_by_wave[w] = float(np.mean(per_person / len(knowledge)))
    return respondents, shares, knowledge_by_wave


def _subgroups(data: WaveData, wave_a: str, wave_b: str) -> dict[str, dict[str, WaveComparison]]:
    ids, waves, items = data.answers.arrays
    answer_key = {n: s.correct for n, s in data.items.items() if s.correct is not None}
    types = {n: s.type for n, s in data.items.items()}
    result: dict[str, dict[str, WaveComparison]] = {}
    for grouping, of_panelist in data.demographics.items():
        groups = [of_panelist.get(i, "") for i in data.answers.panelist_id]
        by_group = analyze_subgroups(
            ids,
            waves,
            items,
            data.answers.value,
            groups,
            types,
            wave_a,
            wave_b,
            answer_key=answer_key or None,
        )
        result[grouping] = {str(g): c for g, c in by_group.items() if g != ""}
    return result


def _attrition(data: WaveData, wave_a: str, wave_b: str) -> AttritionResult | None:
    if not data.demographics:
        return None
    people = sorted(set(data.answers.panelist_id))
    return attrition(
        sorted(data.answers.panelists_in(wave_a)),
        sorted(data.answers.panelists_in(wave_b)),
        people,
        {g: [v.get(p, "") for p in people] for g, v in data.demographics.items()},
    )


def analyse_waves(data: WaveData) -> WaveAnalysis:
    present = [w for w in data.waves if w in set(data.answers.waves)]
    comparisons = tuple(
        compare_waves(data.answers, data.items, a, b) for a, b in wave_pairs(present)
    )
    headline = None
    subgroups: dict[str, dict[str, WaveComparison]] = {}
    dropout = None
    if comparisons:
        headline = comparisons[-1]
        subgroups = _subgroups(data, headline.wave_a, headline.wave_b)
        dropout = _attrition(data, present[0], present[-1])
    respondents, shares, knowledge = _per_wave(data)
    return WaveAnalysis(
        data, comparisons, headline, respondents, shares, knowledge, subgroups, dropout
    )


def _poll_measure(spec: ItemSpec) -> str | None:
    if spec.type in ("binary", "knowledge"):
        return "proportion"
    if spec.type in ("ordinal", "interval"):
        return "mean"
    return None


def panel_against_poll(waves: WaveData, poll: PollItems) -> tuple[PanelPollRow, ...]:
    """The first and last panel waves against the weighted poll, item by item."""
    present = [w for w in waves.waves if w in set(waves.answers.waves)]
    if not present:
        return ()
    _, wave_of, item_of = waves.answers.arrays
    rows = []
    for name, spec in waves.items.items():
        measure = _poll_measure(spec)
        if measure is None or name not in poll.values:
            continue
        poll_values = np.asarray(poll.values[name], dtype=np.float64)
        if spec.type == "knowledge":
            poll_values = np.where(np.isnan(poll_values), np.nan, poll_values == spec.correct)
        for wave in dict.fromkeys((present[0], present[-1])):
            panel_values = waves.answers.value[(item_of == name) & (wave_of == wave)]
            if spec.type == "knowledge":
                panel_values = (panel_values == spec.correct).astype(np.float64)
            try:
                comparison = compare_panel_to_poll(
                    panel_values, poll_values, poll.weights, measure=measure
                )
            except StatsError:
                continue
            rows.append(PanelPollRow(name, wave, comparison))
    return tuple(rows)


WEIGHTING_GROUPS = ("gender", "age_band", "region")


def _indicator(spec: ItemSpec, value: float) -> float:
    """1 for the answer a share counts (yes, correct, agreeing side), 0 otherwise."""
    if np.isnan(value):
        return np.nan
    if spec.type == "knowledge":
        return float(value == spec.correct)
    if spec.type == "ordinal" and spec.value_labels:
        codes = list(spec.value_labels)
        return float(opinion_band(value, min(codes), max(codes)) == "high")
    return float(value == 1.0)


def _opinion_labels(spec: ItemSpec, values: Sequence[float]) -> list[str]:
    if spec.type == "ordinal" and spec.value_labels:
        codes = list(spec.value_labels)
        return [opinion_band(v, min(codes), max(codes)) for v in values]
    return ["" if np.isnan(v) else f"{v:g}" for v in values]


def panel_weights(waves: WaveData, poll: PollItems) -> tuple[WaveWeights, ...]:
    """Each panel wave raked to the poll's weighted gender, age, region and initial opinion."""
    present = [w for w in waves.waves if w in set(waves.answers.waves)]
    if not present:
        return ()
    margins: dict[str, dict[str, float]] = {}
    attributes: dict[str, Mapping[str, str]] = {}
    for grouping in WEIGHTING_GROUPS:
        if grouping in poll.groups and waves.demographics.get(grouping):
            margins[grouping] = weighted_distribution(poll.groups[grouping], poll.weights)
            attributes[grouping] = waves.demographics[grouping]
    ids, wave_of, item_of = waves.answers.arrays
    values = waves.answers.value
    headline = waves.headline
    if headline in waves.items and headline in poll.values:
        spec = waves.items[headline]
        poll_values = np.asarray(poll.values[headline], dtype=np.float64).tolist()
        margins[OPINION] = weighted_distribution(_opinion_labels(spec, poll_values), poll.weights)
        first = (item_of == headline) & (wave_of == present[0])
        attributes[OPINION] = dict(
            zip(ids[first].tolist(), _opinion_labels(spec, values[first].tolist()), strict=True)
        )
    shared = [
        name
        for name, spec in waves.items.items()
        if name == headline or spec.type in ("binary", "knowledge")
    ]
    result = []
    for wave in present:
        in_wave = wave_of == wave
        indicators = {}
        for name in shared:
            mask = in_wave & (item_of == name)
            indicators[name] = {
                p: _indicator(waves.items[name], v)
                for p, v in zip(ids[mask].tolist(), values[mask].tolist(), strict=True)
            }
        respondents = sorted(set(ids[in_wave].tolist()))
        result.append(weight_wave(wave, respondents, attributes, margins, indicators))
    return tuple(result)


def analyse(data: ReportData) -> ReportAnalysis:
    """Every statistic the report shows, computed from the data."""
    waves = analyse_waves(data.waves) if data.waves is not None else None
    versus: tuple[PanelPollRow, ...] = ()
    weights: tuple[WaveWeights, ...] = ()
    if data.waves is not None and data.poll_items is not None:
        versus = panel_against_poll(data.waves, data.poll_items)
        weights = panel_weights(data.waves, data.poll_items)
    evaluation = tuple(
        result
        for item, (label, values) in data.evaluation.items()
        if (result := evaluate_item(item, label, values)) is not None
    )
    return ReportAnalysis(data, waves, versus, weights, evaluation)


# --------------------------------------------------------------------------------------------
# JSON document (docs/analysis-schema.md)
# --------------------------------------------------------------------------------------------


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def analysis_document(analysis: ReportAnalysis) -> dict[str, Any]:
    """The whole analysis as JSON-ready data; pseudonymous (no names, phones or e-mails)."""
    data = analysis.data
    process = data.process
    waves = analysis.waves
    return {
        "schema": SCHEMA_VERSION,
        "kind": "report",
        "deliberation": {
            "slug": data.slug,
            "title": data.title,
            "agenda": data.agenda,
            "city": data.city,
            "is_demo": data.is_demo,
        },
        "generated_at": data.generated_at.isoformat(),
        "process": {
            "stages": [
                {
                    "kind": s.kind,
                    "label": s.label,
                    "starts_on": _date(s.starts_on),
                    "ends_on": _date(s.ends_on),
                    "status": s.status,
                }
                for s in process.stages
            ],
            "sessions": [
                {
                    "kind": s.kind,
                    "title": s.title,
                    "starts_at": s.starts_at.isoformat(),
                    "ends_at": s.ends_at.isoformat(),
                    "groups": s.group_count,
                    "members": s.member_count,
                }
                for s in process.sessions
            ],
            "panel_size": process.panel_size,
            "panel_by_status": dict(process.panel_by_status),
            "attendance": [
                {"session": a.session, "expected": a.expected, "attended": a.attended}
                for a in process.attendance
            ],
        },
        "representativeness": [fit.to_dict() for fit in data.representativeness],
        "poll": _poll_document(data.poll),
        "waves": None
        if waves is None
        else {
            "labels": list(waves.data.waves),
            "titles": {w: waves.data.title(w) for w in waves.data.waves},
            "respondents": dict(waves.respondents),
            "knowledge_index_by_wave": dict(waves.knowledge_by_wave),
            "shares": {k: dict(v) for k, v in waves.shares.items()},
            "headline_item": _headline_document(waves.data),
            "subgroup_min_pairs": MIN_SUBGROUP_PAIRS,
            "subgroups": {
                grouping: {
                    group: _subgroup_document(c, waves.data) for group, c in by_group.items()
                }
                for grouping, by_group in waves.subgroups.items()
            },
            "attrition": _attrition_document(waves.attrition),
        },
        "panel_vs_poll": [
            {
                "item": row.item,
                "label": _item_label(waves, row.item),
                "wave": row.wave,
                "measure": row.comparison.measure,
                "panel_estimate": row.comparison.panel_estimate,
                "panel_n": row.comparison.panel_n,
                "poll_estimate": row.comparison.poll_estimate,
                "poll_effective_n": row.comparison.poll_effective_n,
                "poll_margin_of_error": row.comparison.poll_margin_of_error,
                "difference": row.comparison.difference,
                "ci": [_finite(x) for x in row.comparison.ci],
                "z": _finite(row.comparison.statistic),
                "p_value": row.comparison.p_value,
            }
            for row in analysis.panel_vs_poll
        ],
        "panel_weights": [
            {
                "wave": w.wave,
                "respondents": w.respondents,
                "n": w.n,
                "design_effect": w.design_effect,
                "effective_n": w.effective_n,
                "margin_of_error": w.margin_of_error,
                "error": w.error,
                "shares": [
                    {
                        "item": s.item,
                        "n": s.n,
                        "unweighted": s.unweighted,
                        "weighted": s.weighted,
                    }
                    for s in w.shares
                ],
            }
            for w in analysis.panel_weights
        ],
        "process_evaluation": [
            {
                "item": e.item,
                "question": e.label,
                "n": e.n,
                "agree_share": e.agree_share,
                "mean": e.mean,
            }
            for e in analysis.evaluation
        ],
        "comparisons": []
        if waves is None
        else [comparison_dict(c, waves.data.items, waves.data.answers) for c in waves.comparisons],
        "recommendations": [
            {"group": r.group, "text": r.text, "support": r.support, "votes": r.votes}
            for r in data.recommendations
        ],
        "narratives": {k: v for k, v in data.narratives.items() if v},
    }


def _finite(x: float) -> float | None:
    """JSON has no infinities: a z of +-inf (a difference with no variance) is written null."""
    return float(x) if math.isfinite(x) else None


def _item_label(waves: WaveAnalysis | None, item: str) -> str:
    spec = waves.data.items.get(item) if waves is not None else None
    return spec.label if spec is not None and spec.label else item


def _headline_document(data: WaveData) -> dict[str, Any] | None:
    if data.headline is None or data.headline not in data.items:
        return None
    spec = data.items[data.headline]
    return {
        "item": data.headline,
        "label": spec.label or data.headline,
        "chosen": data.headline_chosen,
    }


def _subgroup_document(comparison: WaveComparison, data: WaveData) -> dict[str, Any]:
    """A subgroup's comparison, each item flagged when it rests on too few pairs to report."""
    document = comparison_dict(comparison, data.items, data.answers)
    for entry in document["items"]:
        entry["too_few_to_report"] = entry["n_pairs"] < MIN_SUBGROUP_PAIRS
    return document


def _attrition_document(result: AttritionResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "n_first_wave": result.n_wave_a,
        "stayers": result.n_stayers,
        "leavers": result.n_leavers,
        "rate": result.attrition_rate,
        "variables": [
            {
                "variable": v.variable,
                "shares_first_wave": {str(k): x for k, x in v.shares_wave_a.items()},
                "shares_stayers": {str(k): x for k, x in v.shares_stayers.items()},
                "shares_leavers": {str(k): x for k, x in v.shares_leavers.items()},
                "max_shift": v.max_shift,
                "chi2": v.statistic,
                "df": v.df,
                "p_value": v.p_value,
            }
            for v in result.variables
        ],
    }


def _poll_document(poll: PollResults | None) -> dict[str, Any] | None:
    if poll is None:
        return None
    return {
        "wave": poll.wave,
        "respondents": poll.respondents,
        "weighting": poll.weighting,
        "design_effect": poll.design_effect,
        "effective_n": poll.effective_n,
        "questions": [
            {
                "question": q.question,
                "n": q.n,
                "effective_n": q.effective_n,
                "options": [
                    {
                        "label": o.label,
                        "estimate": o.estimate,
                        "margin_of_error": o.margin_of_error,
                        "ci": [o.ci_low, o.ci_high],
                    }
                    for o in q.options
                ],
            }
            for q in poll.questions
        ],
    }
