"""The open-data files of a published deliberation: flat CSVs and their JSON description.

The description follows the Frictionless Data Package layout (``datapackage.json``): each
file with its columns, their types and meaning, and the licence the organizer chose. Only
aggregates are written, except the panel waves' answers by pseudonym when the organizer
publishes them deliberately; those pseudonyms are renumbered for the file, so they tie to
nothing kept elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from deliberation.core.cells import safe_row
from deliberation.report.analysis import ReportAnalysis
from deliberation.report.models import LICENCE_URLS, Licence, Publication
from deliberation.report.public import TimelineEntry, TrackedRecommendation


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the Table Schema type: string, integer, number, date, datetime
    description: str


@dataclass(frozen=True)
class DataFile:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    part: str  # the publication flag that makes the file public
    rows: Callable[[ReportAnalysis, Sequence[TrackedRecommendation]], Iterable[Sequence[Any]]]


def _number(value: float | None) -> float | str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return round(float(value), 6)


def _poll_rows(analysis: ReportAnalysis, _tracked: Sequence[TrackedRecommendation]):
    poll = analysis.data.poll
    for question in poll.questions if poll else ():
        for option in question.options:
            yield (
                question.question,
                option.label,
                _number(option.estimate),
                _number(option.margin_of_error),
                _number(option.ci_low),
                _number(option.ci_high),
                question.n,
                _number(question.effective_n),
            )


def _wave_rows(analysis: ReportAnalysis, _tracked: Sequence[TrackedRecommendation]):
    waves = analysis.waves
    if waves is None:
        return
    data = waves.data
    for comparison in waves.comparisons:
        for result in comparison.items:
            spec = data.items.get(result.item)
            low, high = result.ci if result.ci else (None, None)
            yield (
                data.title(comparison.wave_a),
                data.title(comparison.wave_b),
                result.item,
                spec.label if spec else "",
                result.item_type,
                result.n_pairs,
                result.test or "",
                _number(result.change),
                _number(low),
                _number(high),
                _number(result.p_value),
                _number(result.p_adjusted),
                _number(result.effect_size),
                result.effect_size_name or "",
            )


def _recommendation_rows(_analysis: ReportAnalysis, tracked: Sequence[TrackedRecommendation]):
    for t in tracked:
        row = t.row
        yield (
            t.pk,
            row.session,
            row.group,
            row.text,
            row.votes if row.votes is not None else "",
            row.group_size if row.group_size is not None else "",
            _number(row.support),
            _number(row.panel_support),
            t.status,
            t.department,
            t.responded_on.isoformat() if t.responded_on else "",
            t.response,
        )


def _timeline_rows(_analysis: ReportAnalysis, tracked: Sequence[TrackedRecommendation]):
    entries: list[TimelineEntry] = sorted(
        (e for t in tracked for e in t.timeline), key=lambda e: (e.changed_at, e.recommendation_id)
    )
    for e in entries:
        yield (
            e.recommendation_id,
            e.changed_at.isoformat(),
            e.old_status,
            e.new_status,
            e.department,
            e.responded_on.isoformat(),
            e.response,
        )


def _microdata_rows(analysis: ReportAnalysis, _tracked: Sequence[TrackedRecommendation]):
    waves = analysis.waves
    if waves is None:
        return
    answers = waves.data.answers
    renumbered = {
        pid: f"R{n:04d}" for n, pid in enumerate(sorted(set(answers.panelist_id)), start=1)
    }
    for pid, wave, item, value in zip(
        answers.panelist_id, answers.wave, answers.item, answers.value, strict=True
    ):
        yield (renumbered[pid], waves.data.title(wave), item, _number(value))


FILES: tuple[DataFile, ...] = (
    DataFile(
        "poll-results",
        "Opinion poll: weighted results",
        "Each answer's weighted share among the poll's respondents, with its 95% margin of "
        "error (from the effective sample size after weighting).",
        (
            Column("question", "string", "The question as asked."),
            Column("answer", "string", "One answer option."),
            Column("share", "number", "Weighted share choosing the answer (0-1)."),
            Column("margin_of_error", "number", "Half-width of the 95% confidence interval."),
            Column("ci_low", "number", "Lower bound of the 95% confidence interval."),
            Column("ci_high", "number", "Upper bound of the 95% confidence interval."),
            Column("respondents", "integer", "Respondents who answered the question."),
            Column("effective_n", "number", "Effective sample size after weighting (Kish)."),
        ),
        "show_results",
        _poll_rows,
    ),
    DataFile(
        "panel-waves",
        "Citizen panel: change between survey waves",
        "For each question the panel answered in two waves, the paired comparison: the "
        "change, its 95% confidence interval, the test and its p-value (Holm-adjusted too).",
        (
            Column("wave_from", "string", "The earlier wave."),
            Column("wave_to", "string", "The later wave."),
            Column("item", "string", "The question's code."),
            Column("label", "string", "The question's text."),
            Column("item_type", "string", "The kind of question."),
            Column("pairs", "integer", "Panelists who answered in both waves."),
            Column("test", "string", "The paired test used."),
            Column("change", "number", "The change from the earlier to the later wave."),
            Column("ci_low", "number", "Lower bound of the change's 95% confidence interval."),
            Column("ci_high", "number", "Upper bound of the change's 95% confidence interval."),
            Column("p_value", "number", "The test's p-value."),
            Column("p_adjusted", "number", "The p-value after Holm's adjustment."),
            Column("effect_size", "number", "The effect size."),
            Column("effect_size_name", "string", "Which effect size."),
        ),
        "show_results",
        _wave_rows,
    ),
    DataFile(
        "recommendations",
        "The panel's recommendations, their support and the city's answer",
        "Each recommendation with the number of its group's members who supported it, "
        "and where the city's answer stands now.",
        (
            Column("recommendation_id", "integer", "The recommendation's number."),
            Column("session", "string", "The session where it was written."),
            Column("group", "string", "The group that wrote it."),
            Column("text", "string", "The recommendation."),
            Column("supporters", "integer", "Members who supported it."),
            Column("group_size", "integer", "Members of the group (or the whole panel)."),
            Column("support", "number", "Supporters as a share of the group (0-1)."),
            Column("panel_support", "number", "Supporters as a share of the whole panel."),
            Column(
                "status",
                "string",
                "received, under_review, accepted, partly_accepted, rejected or implemented.",
            ),
            Column("department", "string", "The department that answered."),
            Column("responded_on", "date", "The date of the latest answer."),
            Column("response", "string", "The latest answer's text."),
        ),
        "show_recommendations",
        _recommendation_rows,
    ),
    DataFile(
        "tracking-timeline",
        "Tracking of the recommendations: every change",
        "Every change of a recommendation's status, oldest first.",
        (
            Column("recommendation_id", "integer", "The recommendation's number."),
            Column("changed_at", "datetime", "When the change was recorded."),
            Column("old_status", "string", "The status before (empty for the first)."),
            Column("new_status", "string", "The status after."),
            Column("department", "string", "The department that answered."),
            Column("responded_on", "date", "The date of the answer."),
            Column("response", "string", "The answer's text."),
        ),
        "show_recommendations",
        _timeline_rows,
    ),
    DataFile(
        "panel-waves-microdata",
        "Citizen panel: answers by pseudonym",
        "One row per pseudonym, wave and question. Pseudonyms are numbered for this file "
        "only; nothing else identifies a panelist.",
        (
            Column("pseudonym", "string", "A number given for this file only."),
            Column("wave", "string", "The survey wave."),
            Column("item", "string", "The question's code."),
            Column("value", "number", "The coded answer (empty: not answered)."),
        ),
        "publish_microdata",
        _microdata_rows,
    ),
)

FILES_BY_NAME = {f.name: f for f in FILES}


def published_files(publication: Publication) -> tuple[DataFile, ...]:
    """The files this publication makes public (microdata only with the results)."""
    files = []
    for data_file in FILES:
        if data_file.part == "publish_microdata":
            if publication.publish_microdata and publication.show_results:
                files.append(data_file)
        elif getattr(publication, data_file.part):
            files.append(data_file)
    return tuple(files)


def render_csv(
    data_file: DataFile, analysis: ReportAnalysis, tracked: Sequence[TrackedRecommendation]
) -> bytes:
    """The file as UTF-8 CSV with a byte-order mark, so spreadsheets read Korean right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in data_file.columns])
    for row in data_file.rows(analysis, tracked):
        writer.writerow(safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def datapackage(
    publication: Publication, files: Sequence[DataFile], url_of: Callable[[str], str]
) -> bytes:
    """The JSON description of the published files (Frictionless Data Package)."""
    deliberation = publication.deliberation
    licence = Licence(publication.licence)
    package = {
        "profile": "tabular-data-package",
        "name": deliberation.slug,
        "title": deliberation.title,
        "description": deliberation.agenda,
        "keywords": ["public deliberation", "citizens' assembly", deliberation.city],
        "licenses": [
            {"name": licence.value, "title": str(licence.label), "path": LICENCE_URLS[licence]}
        ],
        "synthetic": deliberation.is_demo,
        "resources": [
            {
                "name": f.name,
                "path": url_of(f.name),
                "title": f.title,
                "description": f.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": [
                        {"name": c.name, "type": c.type, "description": c.description}
                        for c in f.columns
                    ]
                },
            }
            for f in files
        ],
    }
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
