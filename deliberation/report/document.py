"""The report as HTML: the page's context and the printable document the PDF is made from.

Every format (this, deliberation.report.pdf, .workbook, .analysis_json) is drawn from one
``ReportAnalysis``; charts are SVG from surveys.charts and every chart has its numbers
beside it in a table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from deliberation.report.analysis import MIN_SUBGROUP_PAIRS, ReportAnalysis, too_few_to_report
from deliberation.report.opinion_maps import MapStatement
from deliberation.report.text import (
    describe_change,
    effect_name,
    fixed,
    format_p,
    scale_label,
    statistical_test_name,
)
from panels.funnel import FunnelRow
from panels.labels import StrataLabels, feature_label, funnel_step_label
from surveys import charts
from surveys.fonts import bold_font_path, regular_font_path
from surveys.stats import ItemResult, WaveComparison

LIKERT_ROWS_PER_CHART = 8


SLOPES_PER_CHART = 6


Progress = Callable[[int], None]


def no_progress(_: int) -> None:
    return None


def _chunks(seq: Sequence, size: int) -> list[Sequence]:
    return [seq[k : k + size] for k in range(0, len(seq), size)]


def _label(analysis: ReportAnalysis, item: str) -> str:
    spec = analysis.waves.data.items.get(item) if analysis.waves else None
    return spec.label if spec and spec.label else item


def _distribution_text(distribution: Mapping, value_labels: Mapping | None) -> str:
    if "mean" in distribution:
        mean, sd = distribution.get("mean"), distribution.get("sd")
        if mean is None:
            return "–"
        return _("mean %(mean)s, SD %(sd)s, n %(n)s") % {
            "mean": fixed(mean, 2),
            "sd": "–" if sd is None else fixed(sd, 2),
            "n": distribution.get("n", 0),
        }
    total = sum(float(v) for v in distribution.values())
    if not total:
        return "–"
    return ", ".join(
        f"{scale_label(value_labels, k)}: {fixed(100 * float(v) / total, 0)}%"
        for k, v in distribution.items()
    )


def _number(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "–"
    return fixed(x, digits)


def comparison_rows(analysis: ReportAnalysis, comparison: WaveComparison) -> list[dict]:
    data = analysis.waves.data
    wa, wb = data.title(comparison.wave_a), data.title(comparison.wave_b)
    rows = []
    for r in comparison.items:
        spec = data.items.get(r.item)
        value_labels = spec.value_labels if spec else None
        rows.append(
            {
                "item": r.item,
                "label": _label(analysis, r.item),
                "type": r.item_type,
                "n_pairs": r.n_pairs,
                "test": statistical_test_name(r.test),
                "statistic": _number(r.statistic, 2),
                "p": format_p(r.p_value) if r.p_value is not None else "–",
                "p_adjusted": format_p(r.p_adjusted) if r.p_adjusted is not None else "–",
                "effect": _number(r.effect_size, 2),
                "effect_name": effect_name(r.effect_size_name),
                "before": _distribution_text(r.distribution_a, value_labels),
                "after": _distribution_text(r.distribution_b, value_labels),
                "sentence": describe_change(r, _label(analysis, r.item), wa, wb, value_labels),
            }
        )
    return rows


def _likert(analysis: ReportAnalysis, comparison: WaveComparison, paths: bool) -> list[dict]:
    data = analysis.waves.data
    ordinal: list[ItemResult] = [r for r in comparison.items if r.item_type == "ordinal"]
    groups: dict[tuple, list[ItemResult]] = {}
    for r in ordinal:
        if r.n_pairs == 0:
            continue
        codes = sorted({float(k) for k in (*r.distribution_a, *r.distribution_b)})
        spec = data.items[r.item]
        if spec.value_labels:
            codes = sorted(set(codes) | set(spec.value_labels))
        groups.setdefault(tuple(codes), []).append(r)
    blocks = []
    wa, wb = data.title(comparison.wave_a), data.title(comparison.wave_b)
    for codes, results in groups.items():
        for part in _chunks(results, LIKERT_ROWS_PER_CHART // 2):
            spec = data.items[part[0].item]
            categories = [scale_label(spec.value_labels, c) for c in codes]
            rows = []
            for r in part:
                for wave, dist in ((wa, r.distribution_a), (wb, r.distribution_b)):
                    counts = {float(k): float(v) for k, v in dist.items()}
                    rows.append(
                        charts.LikertRow(
                            _label(analysis, r.item), wave, [counts.get(c, 0.0) for c in codes]
                        )
                    )
            title = _("Answers before and after: %(wave_a)s and %(wave_b)s") % {
                "wave_a": wa,
                "wave_b": wb,
            }
            table = [
                {
                    "label": row.label,
                    "wave": row.wave,
                    "shares": [
                        f"{fixed(100 * c / (sum(row.counts) or 1), 0)}%" for c in row.counts
                    ],
                }
                for row in rows
            ]
            caption_id = f"likert-{len(blocks) + 1}"
            blocks.append(
                {
                    "svg": charts.diverging_likert(
                        rows, categories, title, text_as_paths=paths, label_id=caption_id
                    ),
                    "title": title,
                    "caption_id": caption_id,
                    "categories": categories,
                    # Header words kept whole: a narrow column breaks between words only.
                    "category_words": [c.split() for c in categories],
                    "rows": table,
                    # The table groups an item's waves under the item, so the long question
                    # text spans the table instead of squeezing the answer columns.
                    "items": [
                        {"label": table[k]["label"], "rows": table[k : k + 2]}
                        for k in range(0, len(table), 2)
                    ],
                }
            )
    return blocks


def _slopes(analysis: ReportAnalysis, paths: bool) -> list[dict]:
    waves = analysis.waves
    titles = [waves.data.title(w) for w in waves.data.waves]
    items = [name for name in waves.data.items if name in waves.shares and waves.shares[name]]
    blocks = []
    for part in _chunks(items, SLOPES_PER_CHART):
        series = {
            _label(analysis, name): {
                waves.data.title(w): share for w, share in waves.shares[name].items()
            }
            for name in part
        }
        title = _("Share agreeing or answering correctly, by wave")
        blocks.append(
            {
                "svg": charts.proportion_slopes(series, titles, title, text_as_paths=paths),
                "title": title,
                "waves": titles,
                "rows": [
                    {
                        "label": label,
                        "shares": [
                            f"{fixed(100 * shares[t], 0)}%" if t in shares else "–" for t in titles
                        ],
                    }
                    for label, shares in series.items()
                ],
            }
        )
    return blocks


def _knowledge(analysis: ReportAnalysis, paths: bool) -> dict | None:
    waves = analysis.waves
    if not any(v is not None for v in waves.knowledge_by_wave.values()):
        return None
    titles = [waves.data.title(w) for w in waves.data.waves]
    means = [waves.knowledge_by_wave.get(w) for w in waves.data.waves]
    title = _("Knowledge index: share of knowledge questions answered correctly")
    headline = waves.headline.knowledge_index if waves.headline else None
    sentence = None
    if headline is not None and headline.comparison is not None:
        sentence = describe_change(
            headline.comparison,
            _("Knowledge index"),
            waves.data.title(waves.headline.wave_a),
            waves.data.title(waves.headline.wave_b),
        )
    return {
        "svg": charts.knowledge_change(
            titles, means, title, ylabel=_("Correct answers (%)"), text_as_paths=paths
        ),
        "title": title,
        "rows": [
            {"wave": t, "mean": "–" if m is None else f"{fixed(100 * m, 0)}%"}
            for t, m in zip(titles, means, strict=True)
        ],
        "sentence": sentence,
    }


def _strata_labels(analysis: ReportAnalysis) -> StrataLabels:
    return StrataLabels(english=analysis.data.category_names_en)


def _representativeness(analysis: ReportAnalysis, paths: bool) -> list[dict]:
    labels = _strata_labels(analysis)
    blocks = []
    for fit in analysis.data.representativeness:
        name = feature_label(fit.feature)
        title = _("Population and panel by %(feature)s") % {"feature": name}
        blocks.append(
            {
                "fit": fit,
                "name": name,
                "title": title,
                "rows": [(labels.category(fit.feature, c.category), c) for c in fit.categories],
                "svg": charts.representativeness_bars(
                    [labels.category(fit.feature, c.category) for c in fit.categories],
                    [c.population_share for c in fit.categories],
                    [c.sample_share for c in fit.categories],
                    title,
                    labels=(_("Population"), _("Panel")),
                    text_as_paths=paths,
                ),
                "p": format_p(fit.p_value) if fit.p_value is not None else "–",
                "statistic": _number(fit.statistic, 2),
            }
        )
    return blocks


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.1f}%"


def _funnel_rows(rows: Sequence[FunnelRow]) -> list[dict]:
    return [
        {
            "label": funnel_step_label(r.key, r.label),
            "count": r.count,
            "from_previous": _percent(r.from_previous),
            "from_first": _percent(r.from_first),
        }
        for r in rows
    ]


def _funnel(analysis: ReportAnalysis, paths: bool) -> dict | None:
    """The funnel's chart and table, and per feature a table of its categories by step."""
    table = analysis.funnel
    if table.is_empty or not any(r.count for r in table.rows):
        return None
    labels = _strata_labels(analysis)
    rows = _funnel_rows(table.rows)
    title = _("Recruitment funnel")
    strata = []
    for feature, by_category in table.strata.items():
        strata.append(
            {
                "name": feature_label(feature),
                "title": _("Recruitment funnel by %(feature)s")
                % {"feature": feature_label(feature)},
                "categories": [
                    (labels.category(feature, category), _funnel_rows(category_rows))
                    for category, category_rows in by_category.items()
                ],
            }
        )
    return {
        "title": title,
        "rows": rows,
        "steps": [r["label"] for r in rows],
        "svg": charts.funnel_bars(
            [r["label"] for r in rows], [r.count for r in table.rows], title, text_as_paths=paths
        ),
        "strata": strata,
    }


def _poll_questions(analysis: ReportAnalysis) -> list[dict]:
    poll = analysis.data.poll
    if poll is None:
        return []
    return [
        {
            "question": q.question,
            "n": q.n,
            "effective_n": fixed(q.effective_n, 0),
            "options": [
                {
                    "label": o.label,
                    "estimate": f"{fixed(100 * o.estimate, 1)}%",
                    "moe": f"{fixed(100 * o.margin_of_error, 1)}%p",
                    "ci": f"{fixed(100 * o.ci_low, 1)}–{fixed(100 * o.ci_high, 1)}%",
                }
                for o in q.options
            ],
        }
        for q in poll.questions
    ]


def _grouping_name(grouping: str) -> str:
    return feature_label(grouping)


def _subgroup_cell(r: ItemResult) -> dict:
    """The effect size (or adjusted p) of one item in one group, or why it is not shown."""
    if too_few_to_report(r):
        return {"text": _("too few to report"), "too_few": True}
    if r.p_adjusted is None:
        return {"text": "–", "too_few": False}
    mark = " *" if r.p_adjusted < 0.05 else ""
    if r.effect_size is not None:
        return {"text": f"{fixed(r.effect_size, 2, signed=True)}{mark}", "too_few": False}
    return {"text": f"{format_p(r.p_adjusted)}{mark}", "too_few": False}


def _subgroups(analysis: ReportAnalysis) -> list[dict]:
    """One table per grouping: items down, groups across, effect size of the change."""
    waves = analysis.waves
    labels = _strata_labels(analysis)
    blocks = []
    for grouping, by_group in waves.subgroups.items():
        if not by_group:
            continue
        groups = list(by_group)
        pairs = [max((r.n_pairs for r in by_group[g].items), default=0) for g in groups]
        blocks.append(
            {
                "name": _grouping_name(grouping),
                "min_pairs": MIN_SUBGROUP_PAIRS,
                "groups": [
                    {"name": labels.category(grouping, g), "n": n}
                    for g, n in zip(groups, pairs, strict=True)
                ],
                "rows": [
                    {
                        "label": _label(analysis, name),
                        "cells": [_subgroup_cell(by_group[g].item(name)) for g in groups],
                    }
                    for name in waves.data.items
                ],
            }
        )
    return blocks


def _headline(analysis: ReportAnalysis) -> dict | None:
    """The headline opinion item the panel weights use, and whether the analysts chose it."""
    data = analysis.waves.data
    if data.headline is None or data.headline not in data.items:
        return None
    return {
        "item": data.headline,
        "label": _label(analysis, data.headline),
        "chosen": data.headline_chosen,
    }


def _attrition(analysis: ReportAnalysis) -> dict | None:
    result = analysis.waves.attrition
    if result is None:
        return None
    data = analysis.waves.data
    present = [w for w in data.waves if w in analysis.waves.respondents]
    return {
        "first": data.title(present[0]) if present else "",
        "last": data.title(present[-1]) if present else "",
        "n": result.n_wave_a,
        "stayers": result.n_stayers,
        "leavers": result.n_leavers,
        "rate": f"{fixed(100 * result.attrition_rate, 1)}%",
        "rows": [
            {
                "name": _grouping_name(v.variable),
                "shift": f"{fixed(100 * v.max_shift, 1)}%p",
                "statistic": _number(v.statistic, 2),
                "df": v.df,
                "p": format_p(v.p_value) if v.df else "–",
            }
            for v in result.variables
        ],
    }


def _estimate(value: float, measure: str) -> str:
    return f"{fixed(100 * value, 1)}%" if measure == "proportion" else fixed(value, 2)


def _difference(value: float, measure: str) -> str:
    if measure == "proportion":
        return f"{fixed(100 * value, 1, signed=True)}%p"
    return fixed(value, 2, signed=True)


def _panel_vs_poll(analysis: ReportAnalysis) -> list[dict]:
    data = analysis.data.waves
    rows = []
    for row in analysis.panel_vs_poll:
        c = row.comparison
        m = c.measure
        rows.append(
            {
                "label": _label(analysis, row.item),
                "wave": data.title(row.wave) if data else row.wave,
                "measure": _("share correct")
                if data and data.items[row.item].type == "knowledge"
                else (_("share yes") if m == "proportion" else _("mean")),
                "panel": _estimate(c.panel_estimate, m),
                "panel_n": c.panel_n,
                "poll": _estimate(c.poll_estimate, m),
                "poll_moe": _difference(c.poll_margin_of_error, m).lstrip("+"),
                "difference": _difference(c.difference, m),
                "ci": f"{_difference(c.ci[0], m)} – {_difference(c.ci[1], m)}",
                "p": format_p(c.p_value),
            }
        )
    return rows


def _panel_weights(analysis: ReportAnalysis) -> list[dict]:
    data = analysis.data.waves
    rows = []
    for w in analysis.panel_weights:
        rows.append(
            {
                "wave": data.title(w.wave) if data else w.wave,
                "respondents": w.respondents,
                "n": w.n,
                "deff": "—" if w.design_effect is None else fixed(w.design_effect, 2),
                "n_eff": "—" if w.effective_n is None else fixed(w.effective_n, 0),
                "moe": "—"
                if w.margin_of_error is None
                else f"±{fixed(100 * w.margin_of_error, 1)}%p",
                "error": w.error,
                "shares": [
                    {
                        "label": _label(analysis, s.item),
                        "n": s.n,
                        "unweighted": _estimate(s.unweighted, "proportion"),
                        "weighted": _estimate(s.weighted, "proportion"),
                    }
                    for s in w.shares
                ],
            }
        )
    return rows


def _evaluation(analysis: ReportAnalysis) -> list[dict]:
    return [
        {
            "item": e.item,
            "label": e.label,
            "n": e.n,
            "agree": _estimate(e.agree_share, "proportion"),
            "mean": fixed(e.mean, 2),
            "sentence": _(
                "%(share)s of the %(n)s panelists who answered agreed (4 or 5 of 5) that "
                "“%(question)s”; the mean rating was %(mean)s."
            )
            % {
                "share": _estimate(e.agree_share, "proportion"),
                "n": e.n,
                "question": e.label,
                "mean": fixed(e.mean, 2),
            },
        }
        for e in analysis.evaluation
    ]


def opinion_group_name(group: int | None) -> str:
    """A group's name as the report and its files give it: Polis's letters, A for group 0."""
    if group is None:
        return _("not clustered")
    return _("Group %(letter)s") % {"letter": chr(ord("A") + group)}


def _side(side: str) -> str:
    return _("agree") if side == "agree" else _("disagree")


def _map_statement(s: MapStatement) -> dict:
    return {
        "statement": s.statement,
        "text": s.text,
        "side": _side(s.side),
        "share": _percent(s.p_success),
        "count": f"{s.n_success} / {s.n_trials}",
        "repness": _number(s.repness, 2) if s.repness is not None else "–",
    }


def _opinion_maps(analysis: ReportAnalysis, paths: bool) -> dict | None:
    opinion = analysis.opinion_maps
    if not opinion.maps:
        return None
    labels = _strata_labels(analysis)
    blocks = []
    for index, (label, m) in enumerate(opinion.maps, start=1):
        title = _("Opinion map: %(session)s") % {"session": label}
        names = {g.id: opinion_group_name(g.id) for g in m.groups}
        blocks.append(
            {
                "id": f"r-map-{index}",
                "label": label,
                "title": title,
                "summary": m,
                "svg": charts.opinion_scatter(
                    m.points,
                    names,
                    title,
                    unclustered=_("not clustered"),
                    text_as_paths=paths,
                    label_id=f"r-map-{index}-caption",
                ),
                "groups": [
                    {
                        "name": names[g.id],
                        "size": g.size,
                        "share": _percent(g.size / m.clustered if m.clustered else None),
                        "composition": [
                            {
                                "feature": feature_label(feature),
                                "counts": ", ".join(
                                    f"{labels.category(feature, category)} {n}"
                                    for category, n in counts.items()
                                )
                                or "–",
                            }
                            for feature, counts in g.composition.items()
                        ],
                        "unknown": g.unknown,
                        "representative": [_map_statement(s) for s in g.representative],
                    }
                    for g in m.groups
                ],
                "consensus": [_map_statement(s) for s in m.consensus],
            }
        )
    changes = [
        {
            "before": c.before,
            "after": c.after,
            "groups": f"{c.groups_before} → {c.groups_after}",
            "common": c.common_participants,
            "same_group": _percent(c.same_group_share),
            "statements": c.common_statements,
            "changed": c.consensus_changed,
            "changed_share": _percent(c.consensus_changed_share),
            "crossing": [
                (opinion_group_name(a), opinion_group_name(b), n) for a, b, n in c.crossing
            ],
        }
        for c in opinion.changes
    ]
    return {"maps": blocks, "changes": changes}


def report_context(
    analysis: ReportAnalysis, progress: Progress = no_progress, *, for_pdf: bool = False
) -> dict[str, Any]:
    """Everything the report templates need, charts included (text kept as text for PDF)."""
    paths = not for_pdf
    data = analysis.data
    context: dict[str, Any] = {
        "data": data,
        "process": data.process,
        "representativeness": _representativeness(analysis, paths),
        "poll": data.poll,
        "poll_method": _("raking") if data.poll and data.poll.weighting == "raking" else "",
        "poll_questions": _poll_questions(analysis),
        "panel_vs_poll": _panel_vs_poll(analysis),
        "panel_weights": _panel_weights(analysis),
        "evaluation": _evaluation(analysis),
        "funnel": _funnel(analysis, paths),
        "recommendations": data.recommendations,
        "opinion_maps": _opinion_maps(analysis, paths),
        "empty": data.empty_sections(),
        "narratives": {k: v for k, v in data.narratives.items() if v},
        "waves": None,
    }
    progress(30)
    waves = analysis.waves
    if waves is not None and waves.comparisons:
        context["waves"] = {
            "labels": [
                (w, waves.data.title(w), waves.respondents.get(w, 0)) for w in waves.data.waves
            ],
            "headline": waves.headline,
            "headline_title": _("%(wave_a)s to %(wave_b)s")
            % {
                "wave_a": waves.data.title(waves.headline.wave_a),
                "wave_b": waves.data.title(waves.headline.wave_b),
            },
            "comparisons": [
                {
                    "title": _("%(wave_a)s to %(wave_b)s")
                    % {"wave_a": waves.data.title(c.wave_a), "wave_b": waves.data.title(c.wave_b)},
                    "rows": comparison_rows(analysis, c),
                }
                for c in waves.comparisons
            ],
            "likert": _likert(analysis, waves.headline, paths),
            "slopes": _slopes(analysis, paths),
            "knowledge": _knowledge(analysis, paths),
            "subgroups": _subgroups(analysis),
            "attrition": _attrition(analysis),
            "headline_item": _headline(analysis),
        }
        comparisons = context["waves"]["comparisons"]
        # The PDF prints the headline comparison's table; the others are in JSON and XLSX.
        context["waves"]["comparisons_shown"] = comparisons[-1:] if for_pdf else comparisons
        context["waves"]["comparisons_omitted"] = len(comparisons) - len(
            context["waves"]["comparisons_shown"]
        )
        context["waves"]["sentences"] = [
            row["sentence"] for row in context["waves"]["comparisons"][-1]["rows"]
        ]
    progress(50)
    return context


def render_document(analysis: ReportAnalysis, progress: Progress = no_progress) -> str:
    """The printable, self-contained HTML document (what the PDF is made from)."""
    context = report_context(analysis, progress, for_pdf=True)
    context["font_regular"] = regular_font_path().as_uri()
    context["font_bold"] = bold_font_path().as_uri()
    return render_to_string("report/document.html", context)


def public_sections(analysis: ReportAnalysis) -> dict[str, Any]:
    """What the public page shows of the analysis: the poll's shares with their margins of
    error, the funnel, and the headline comparison's rows (no other chart is drawn)."""
    sections: dict[str, Any] = {
        "poll_questions": _poll_questions(analysis),
        "funnel": _funnel(analysis, True),
        "headline_title": "",
        "headline_rows": [],
    }
    waves = analysis.waves
    if waves is not None and waves.headline is not None:
        sections["headline_title"] = _("%(wave_a)s to %(wave_b)s") % {
            "wave_a": waves.data.title(waves.headline.wave_a),
            "wave_b": waves.data.title(waves.headline.wave_b),
        }
        sections["headline_rows"] = comparison_rows(analysis, waves.headline)
    return sections
