"""Every statistic the report shows, computed from its data: plain Python, no Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from deliberation.report.data import ReportData
from deliberation.report.opinion_maps import OpinionMapsAnalysis, analyse_opinion_maps
from panels.funnel import FunnelTable, funnel_table
from panels.strata import STRATA
from surveys.analysis import compare_waves
from surveys.answer_sets import PollItems, WaveData
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
from surveys.wave_files import ItemSpec

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
    funnel: FunnelTable = field(default_factory=lambda: funnel_table(()))
    opinion_maps: OpinionMapsAnalysis = field(default_factory=lambda: analyse_opinion_maps(()))


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
    for grouping in STRATA:
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
    return ReportAnalysis(
        data,
        waves,
        versus,
        weights,
        evaluation,
        funnel_table(data.funnel),
        analyse_opinion_maps(data.opinion_maps),
    )


def analyse_public(data: ReportData) -> ReportAnalysis:
    """The statistics the public page and its open data show: the panel's change between
    waves, the poll and the funnel. The subgroups, the attrition, the panel's weights and
    the evaluation stay in the report, which takes far longer to compute."""
    waves = None
    if data.waves is not None:
        present = [w for w in data.waves.waves if w in set(data.waves.answers.waves)]
        comparisons = tuple(
            compare_waves(data.waves.answers, data.waves.items, a, b)
            for a, b in wave_pairs(present)
        )
        respondents, shares, knowledge = _per_wave(data.waves)
        waves = WaveAnalysis(
            data.waves,
            comparisons,
            comparisons[-1] if comparisons else None,
            respondents,
            shares,
            knowledge,
        )
    return ReportAnalysis(data, waves, funnel=funnel_table(data.funnel))
