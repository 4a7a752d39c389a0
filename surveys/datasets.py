"""A wave's responses as a wide, labelled data set (pseudonymous ids only, no contacts)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from panels import selectors as panel_selectors
from panels.strata import STRATA
from surveys.exports import NUMBER, TEXT, Dataset, Variable, safe_name
from surveys.items import TEXT_KINDS
from surveys.models import Answer, Question, Response, Wave
from surveys.questionnaires import questions_of

PROFILE = (*STRATA, "district")


def item_variables(
    questions: list[Question], *, page_language: bool = False
) -> list[tuple[str, Variable]]:
    """(item code, variable) for every item of every question, in questionnaire order.

    Data files label items in Korean, the questionnaire's first language; pages
    (``page_language``) label them in the page's language where the questionnaire has
    that text, so an English results page shows the English question and answers.
    """
    result = []
    for question in questions:
        options = list(question.options.all())
        text = question.text if page_language else question.text_ko
        option_labels = {o.value: (o.label if page_language else o.label_ko) for o in options}
        chosen = (
            {0: _("not chosen"), 1: _("chosen")}
            if page_language
            else {0: "선택 안 함 (not chosen)", 1: "선택 (chosen)"}
        )
        note = question.get_kind_display()
        if question.show_if_question_id:
            note += f"; asked only if {question.show_if_question.code} in {question.show_if_values}"
        if question.kind == Question.Kind.MULTIPLE:
            for option in options:
                result.append(
                    (
                        f"{question.code}_{option.value}",
                        Variable(
                            safe_name(f"{question.code}_{option.value}"),
                            f"{text} — {option_labels[option.value]}",
                            NUMBER,
                            chosen,
                            note,
                        ),
                    )
                )
        elif question.kind == Question.Kind.GRID:
            for row in question.grid_items.all():
                result.append(
                    (
                        f"{question.code}_{row.code}",
                        Variable(
                            safe_name(f"{question.code}_{row.code}"),
                            f"{text} — {row.text if page_language else row.text_ko}",
                            NUMBER,
                            option_labels,
                            note,
                        ),
                    )
                )
        else:
            kind = TEXT if question.kind in TEXT_KINDS else NUMBER
            labels = option_labels
            if question.kind == Question.Kind.SCALE_0_10:
                ends = (
                    (question.low_label, question.high_label)
                    if page_language
                    else (question.low_label_ko, question.high_label_ko)
                )
                labels = {k: v for k, v in zip((0, 10), ends, strict=True) if v}
            if question.kind == Question.Kind.KNOWLEDGE:
                correct = [o.value for o in options if o.is_correct]
                note += f"; correct answer: {correct}"
            result.append(
                (
                    question.code,
                    Variable(safe_name(question.code), text, kind, labels, note),
                )
            )
    return result


EXPORT_CHUNK = 500


@dataclass
class WaveExport:
    """A wave's data set whose rows are read from the database as they are written out, a
    few hundred respondents at a time, so an export's memory does not grow with the wave."""

    title: str
    variables: list[Variable]
    count: int
    rows: Iterator[list]


def wave_export(wave: Wave, *, include_weight: bool = True) -> WaveExport:
    """Complete responses of a wave, one row per respondent in respondent-id order.

    Responses the organizer excluded stay in the file, marked ``excluded`` = 1 and without
    a weight, so an analyst can check the exclusion; counted totals leave them out.
    """
    questions = questions_of(wave.questionnaire)
    items = item_variables(questions)
    responses = Response.objects.filter(wave=wave, status=Response.Status.COMPLETE)
    count = responses.count()
    has_weight = include_weight and responses.filter(weight__isnull=False).exists()
    labels = panel_selectors.labels_for(wave.deliberation)

    def profile_labels(feature: str) -> dict[int | str, str]:
        """The categories present, keyed by code, where the words differ from the code."""
        codes = sorted(
            set(
                responses.exclude(**{feature: ""})
                .order_by()
                .values_list(feature, flat=True)
                .distinct()
            )
        )
        named = {code: labels.bilingual(feature, code) for code in codes}
        return {code: text for code, text in named.items() if text != code}

    variables = [
        Variable("respondent_id", "Pseudonymous respondent id", TEXT),
        Variable("region", "Region (권역)", TEXT, profile_labels("region")),
        Variable("gender", "Gender (성별)", TEXT, profile_labels("gender")),
        Variable("age_band", "Age band (연령대)", TEXT, profile_labels("age_band")),
        Variable("district", "District (자치구)", TEXT),
        Variable("duration_seconds", "Interview time in seconds", NUMBER),
        Variable(
            "excluded",
            "Excluded by the organizer from weighting and results",
            NUMBER,
            {0: "counted", 1: "excluded"},
        ),
        Variable("quality_flags", "Data-quality flags (address, speeder, straightlining)", TEXT),
    ]
    if has_weight:
        variables.append(Variable("weight", "Weight (raked to population margins, mean 1)"))
    variables += [variable for _item, variable in items]
    position = {item: i for i, (item, _v) in enumerate(items)}
    title = f"{wave.deliberation.title} — {wave.title} ({wave.label})"
    return WaveExport(title, variables, count, _rows(responses, position, len(items), has_weight))


def _rows(responses, position: dict[str, int], width: int, has_weight: bool) -> Iterator[list]:
    """The rows, EXPORT_CHUNK respondents at a time: their profiles, then their answers
    by the (response, item) index, two queries a chunk."""
    ids = responses.order_by("respondent_id").values_list("pk", flat=True)
    chunk: list[int] = []
    for pk in ids.iterator(chunk_size=EXPORT_CHUNK * 4):
        chunk.append(pk)
        if len(chunk) == EXPORT_CHUNK:
            yield from _chunk_rows(chunk, position, width, has_weight)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, position, width, has_weight)


def _chunk_rows(
    pks: list[int], position: dict[str, int], width: int, has_weight: bool
) -> Iterator[list]:
    rows: dict[int, list] = {}
    profiles = Response.objects.filter(pk__in=pks).values_list(
        "pk",
        "respondent_id",
        *PROFILE,
        "duration_seconds",
        "excluded_at",
        "quality_flags",
        "weight",
    )
    by_pk = {row[0]: row for row in profiles}
    for pk in pks:
        _pk, respondent_id, *profile, duration, excluded_at, flags, weight = by_pk[pk]
        row = [respondent_id, *profile, duration, int(excluded_at is not None), " ".join(flags)]
        if has_weight:
            row.append(weight)
        rows[pk] = row + [None] * width
    offset = len(next(iter(rows.values()))) - width
    answers = Answer.objects.filter(response_id__in=pks).values_list(
        "response_id", "item", "value_number", "value_text"
    )
    for response_id, item, number, text in answers:
        if item in position:
            rows[response_id][offset + position[item]] = number if number is not None else text
    yield from rows.values()


def wave_dataset(wave: Wave, *, include_weight: bool = True) -> Dataset:
    """The whole data set in memory (the export's rows read to the end)."""
    export = wave_export(wave, include_weight=include_weight)
    return Dataset(title=export.title, variables=export.variables, rows=list(export.rows))


def describe_format(fmt: str) -> str:
    return {
        "csv": _("CSV (UTF-8), data only"),
        "xlsx": _("Excel workbook: a data sheet and a labels sheet"),
        "sav": _("SPSS .sav with variable and value labels"),
        "dta": _("Stata .dta with variable and value labels"),
        "codebook": _("Codebook (Markdown)"),
    }[fmt]
