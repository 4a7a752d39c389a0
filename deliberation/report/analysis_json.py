"""The report's analysis as one JSON document (docs/analysis-schema.md): pseudonymous."""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Sequence
from typing import Any

from deliberation.report.analysis import MIN_SUBGROUP_PAIRS, ReportAnalysis, WaveAnalysis
from deliberation.report.opinion_maps import MapStatement, OpinionMapsAnalysis
from panels.funnel import FunnelRow, FunnelTable
from panels.labels import StrataLabels, feature_label, funnel_step_label
from panels.representativeness import CompositionFit
from surveys.analysis import SCHEMA_VERSION, comparison_dict
from surveys.answer_sets import PollResults, WaveData
from surveys.stats import AttritionResult, WaveComparison


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _fit_document(fit: CompositionFit, labels: StrataLabels) -> dict[str, Any]:
    """The fit with its keys as codes and, beside them, the words a reader sees."""
    document = fit.to_dict()
    document["feature_label"] = labels.feature(fit.feature)
    for category in document["categories"]:
        category["label"] = labels.category(fit.feature, category["category"])
    return document


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
        "representativeness": [
            _fit_document(fit, StrataLabels(english=data.category_names_en))
            for fit in data.representativeness
        ],
        "poll": _poll_document(data.poll),
        "opinion_maps": _opinion_maps_document(analysis.opinion_maps),
        "funnel": _funnel_document(analysis.funnel, StrataLabels(english=data.category_names_en)),
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
            {
                "session": r.session,
                "group": r.group,
                "text": r.text,
                "votes": r.votes,
                "group_size": r.group_size,
                "support": r.support,
                "panel_support": r.panel_support,
            }
            for r in data.recommendations
        ],
        "empty_sections": {
            section: None if stage is None else stage.kind
            for section, stage in data.empty_sections().items()
        },
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


def _funnel_rows(rows: Sequence[FunnelRow]) -> list[dict[str, Any]]:
    return [
        {
            "step": r.key,
            "label": funnel_step_label(r.key, r.label),
            "count": r.count,
            "from_previous": r.from_previous,
            "from_first": r.from_first,
        }
        for r in rows
    ]


def _funnel_document(table: FunnelTable, labels: StrataLabels) -> dict[str, Any]:
    """Each step's count and retention, overall and per feature and category."""
    return {
        "steps": _funnel_rows(table.rows),
        "strata": [
            {
                "feature": feature,
                "feature_label": feature_label(feature),
                "categories": [
                    {
                        "category": category,
                        "label": labels.category(feature, category),
                        "steps": _funnel_rows(rows),
                    }
                    for category, rows in by_category.items()
                ],
            }
            for feature, by_category in table.strata.items()
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


def _map_statement_document(s: MapStatement) -> dict[str, Any]:
    return {
        "statement": s.statement,
        "text": s.text,
        "side": s.side,
        "n_success": s.n_success,
        "n_trials": s.n_trials,
        "p_success": s.p_success,
        "repness": s.repness,
    }


def _opinion_maps_document(opinion: OpinionMapsAnalysis) -> dict[str, Any]:
    """The kept maps without who anyone is: groups, their strata, statements and changes."""
    return {
        "maps": [
            {
                "label": label,
                "session": m.session,
                "session_kind": m.session_kind,
                "room": m.room,
                "seed": m.seed,
                "participants": m.participants,
                "clustered": m.clustered,
                "statements": m.statements,
                "votes": m.votes,
                "groups": [
                    {
                        "id": g.id,
                        "size": g.size,
                        "composition": {f: dict(c) for f, c in g.composition.items()},
                        "not_on_panel": g.unknown,
                        "representative": [_map_statement_document(s) for s in g.representative],
                    }
                    for g in m.groups
                ],
                "consensus": [_map_statement_document(s) for s in m.consensus],
                "points": [[x, y, group] for x, y, group in m.points],
            }
            for label, m in opinion.maps
        ],
        "changes": [
            {
                "before": c.before,
                "after": c.after,
                "groups_before": c.groups_before,
                "groups_after": c.groups_after,
                "common_participants": c.common_participants,
                "crossing": [
                    {"before": a, "after": b, "participants": n} for a, b, n in c.crossing
                ],
                "same_group_share": c.same_group_share,
                "common_statements": c.common_statements,
                "consensus_changed": c.consensus_changed,
                "consensus_changed_share": c.consensus_changed_share,
            }
            for c in opinion.changes
        ],
    }


def render_json(analysis: ReportAnalysis) -> bytes:
    return (json.dumps(analysis_document(analysis), ensure_ascii=False, indent=2) + "\n").encode(
        "utf-8"
    )
