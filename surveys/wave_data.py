"""Panel-wave and poll answers read from the database as the arrays the statistics take.

The report, the .sav export and the completion page read answers through here, so the
statistics see one long table (pseudonym, wave, item, value) whatever screen asked for it.
Each function runs a fixed, small number of queries (values_list, no per-row queries).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from deliberation.core.models import Deliberation
from panels.strata import STRATA
from surveys.answer_sets import PollItems, PollQuestion, PollResults, WaveData, poll_question
from surveys.models import COUNTED_ANSWERS, Answer, Question, Response, Wave, WeightingRun
from surveys.process_evaluation import is_evaluation_item
from surveys.questionnaires import questions_of
from surveys.wave_files import ItemSpec, LongAnswers

PANEL_KINDS = (Wave.Kind.PRE, Wave.Kind.MID, Wave.Kind.POST)
KIND_ORDER = {kind: k for k, kind in enumerate(PANEL_KINDS)}
ORDINAL_KINDS = {Question.Kind.LIKERT, Question.Kind.SCALE_0_10, Question.Kind.GRID}
# Poll tables show answer shares; these kinds have a short list of labelled answers.
POLL_TABLE_KINDS = {
    Question.Kind.SINGLE,
    Question.Kind.LIKERT,
    Question.Kind.KNOWLEDGE,
    Question.Kind.GRID,
}


def item_type(kind: str, n_options: int, has_correct: bool) -> str | None:
    """The statistical type of a question's items; None for text, which is not tested."""
    if kind in ORDINAL_KINDS:
        return "ordinal"
    if kind == Question.Kind.NUMERIC:
        return "interval"
    if kind == Question.Kind.KNOWLEDGE:
        return "knowledge" if has_correct else "nominal"
    if kind == Question.Kind.MULTIPLE:
        return "binary"
    if kind == Question.Kind.SINGLE:
        return "binary" if n_options == 2 else "nominal"
    return None


@dataclass(frozen=True)
class ItemCoding:
    """How one stored item is analysed: its spec, and a recoding of stored values.

    A single choice with two options is analysed as binary: its first option becomes 1
    and its second 0; every other item keeps its stored codes.
    """

    spec: ItemSpec
    question_kind: str
    question_text: str
    option_labels: dict[float, str] = field(default_factory=dict)
    recode: dict[float, float] = field(default_factory=dict)

    def value(self, stored: float) -> float:
        return self.recode.get(stored, stored) if self.recode else stored


def item_codings(questions: Iterable[Question]) -> dict[str, ItemCoding]:
    """Item code -> coding for every numeric item of the questions, in questionnaire order."""
    codings: dict[str, ItemCoding] = {}
    for question in questions:
        options = list(question.options.all())
        labels = {float(o.value): o.label for o in options}
        correct = next((float(o.value) for o in options if o.is_correct), None)
        kind = item_type(question.kind, len(options), correct is not None)
        if kind is None:
            continue
        if question.kind == Question.Kind.SCALE_0_10:
            labels = {float(k): str(k) for k in range(11)}
            if question.low_label:
                labels[0.0] = f"0 {question.low_label}"
            if question.high_label:
                labels[10.0] = f"10 {question.high_label}"
        if question.kind == Question.Kind.GRID:
            for row in question.grid_items.all():
                code = f"{question.code}_{row.code}"
                spec = ItemSpec(code, kind, None, row.text, labels)
                codings[code] = ItemCoding(spec, question.kind, question.text, labels)
        elif question.kind == Question.Kind.MULTIPLE:
            for option in options:
                code = f"{question.code}_{option.value}"
                chosen = {1.0: option.label, 0.0: "–"}
                spec = ItemSpec(code, kind, None, f"{question.text} — {option.label}", chosen)
                codings[code] = ItemCoding(spec, question.kind, question.text, chosen)
        elif kind == "binary":
            first, second = float(options[0].value), float(options[1].value)
            spec = ItemSpec(
                question.code,
                kind,
                None,
                question.text,
                {1.0: options[0].label, 0.0: options[1].label},
            )
            codings[question.code] = ItemCoding(
                spec, question.kind, question.text, labels, {first: 1.0, second: 0.0}
            )
        else:
            spec = ItemSpec(
                question.code,
                kind,
                correct if kind == "knowledge" else None,
                question.text,
                labels,
            )
            codings[question.code] = ItemCoding(spec, question.kind, question.text, labels)
    return codings


def panel_waves(deliberation: Deliberation) -> list[Wave]:
    """The deliberation's panel waves in time order (before, between, after)."""
    waves = list(
        Wave.objects.filter(deliberation=deliberation, kind__in=PANEL_KINDS).select_related(
            "questionnaire"
        )
    )
    return sorted(
        waves,
        key=lambda w: (KIND_ORDER[w.kind], w.opens_at is None, w.opens_at or 0, w.label),
    )


def panel_codings(waves: Sequence[Wave]) -> dict[str, ItemCoding]:
    """Items of the waves' questionnaires; a questionnaire shared by waves is read once."""
    codings: dict[str, ItemCoding] = {}
    seen: set[int] = set()
    for wave in waves:
        if wave.questionnaire_id in seen:
            continue
        seen.add(wave.questionnaire_id)
        for code, coding in item_codings(questions_of(wave.questionnaire)).items():
            if not is_evaluation_item(code):
                codings.setdefault(code, coding)
    return codings


def panel_question_codes(waves: Sequence[Wave]) -> set[str]:
    """Codes of every question the waves ask, text and evaluation questions included."""
    questionnaires = {w.questionnaire_id for w in waves}
    return set(
        Question.objects.filter(questionnaire__in=questionnaires).values_list("code", flat=True)
    )


def evaluation_answers(deliberation: Deliberation) -> dict[str, tuple[str, np.ndarray]]:
    """Process-evaluation items (E1..) of the last panel wave that has them: text, values.

    Three queries whatever the number of waves: the waves, their evaluation questions,
    and the answers of the one wave chosen.
    """
    waves = panel_waves(deliberation)
    questions = [
        q
        for q in Question.objects.filter(
            questionnaire__in={w.questionnaire_id for w in waves},
            kind=Question.Kind.LIKERT,
            code__startswith="E",
        ).order_by("order", "pk")
        if is_evaluation_item(q.code)
    ]
    for wave in reversed(waves):
        asked = [q for q in questions if q.questionnaire_id == wave.questionnaire_id]
        if not asked:
            continue
        values: dict[str, list[float]] = {q.code: [] for q in asked}
        for item, number in Answer.objects.filter(
            response__wave=wave,
            response__excluded_at__isnull=True,
            response__status=Response.Status.COMPLETE,
            item__in=list(values),
            value_number__isnull=False,
        ).values_list("item", "value_number"):
            values[item].append(float(number))
        return {q.code: (q.text, np.array(values[q.code])) for q in asked}
    return {}


def is_headline_candidate(coding: ItemCoding) -> bool:
    """Agree-disagree and yes-no questions can be the headline opinion item."""
    return coding.question_kind == Question.Kind.LIKERT or (
        coding.question_kind == Question.Kind.SINGLE and coding.spec.type == "binary"
    )


def headline_item(codings: dict[str, ItemCoding], chosen: str = "") -> str | None:
    """The headline opinion item: the analysts' choice, else the first agree-disagree or yes-no
    question asked.

    A choice that is no longer a candidate (its question was removed or changed kind) falls
    back to the default rule rather than failing the report.
    """
    if chosen in codings and is_headline_candidate(codings[chosen]):
        return chosen
    for code, coding in codings.items():
        if is_headline_candidate(coding):
            return code
    return None


def headline_choices(deliberation: Deliberation) -> dict[str, str]:
    """Items the analysts may choose as the headline: code -> question, questionnaire order."""
    codings = panel_codings(panel_waves(deliberation))
    return {code: c.spec.label for code, c in codings.items() if is_headline_candidate(c)}


@dataclass(frozen=True)
class PanelAnswers:
    """The long table of a deliberation's panel waves with what is needed to read it."""

    data: WaveData
    codings: dict[str, ItemCoding]


def panel_answers(deliberation: Deliberation) -> PanelAnswers | None:
    """Complete responses of the panel waves as a long table; None when nobody answered."""
    waves = panel_waves(deliberation)
    if not waves:
        return None
    codings = panel_codings(waves)
    rows = list(
        Answer.objects.filter(
            response__wave__in=waves,
            response__excluded_at__isnull=True,
            response__status=Response.Status.COMPLETE,
            item__in=list(codings),
            value_number__isnull=False,
        )
        .order_by("response__wave_id", "response__respondent_id", "pk")
        .values_list("response__respondent_id", "response__wave__label", "item", "value_number")
    )
    if not rows:
        return None
    ids, labels, names, values = zip(*rows, strict=True)
    answers = LongAnswers(
        list(ids),
        list(labels),
        list(names),
        np.array(
            [codings[i].value(float(v)) for i, v in zip(names, values, strict=True)],
            dtype=np.float64,
        ),
    )
    present = set(names)
    items = {code: c.spec for code, c in codings.items() if code in present}
    demographics: dict[str, dict[str, str]] = {g: {} for g in STRATA}
    for respondent, *groups in (
        Response.objects.filter(wave__in=waves)
        .counted()
        .order_by("wave_id")
        .values_list("respondent_id", *STRATA)
    ):
        for grouping, value in zip(STRATA, groups, strict=True):
            demographics[grouping].setdefault(respondent, value or "")
    chosen = deliberation.report_headline_item
    headline = headline_item({c: codings[c] for c in items}, chosen)
    data = WaveData(
        answers=answers,
        items=items,
        waves=tuple(w.label for w in waves),
        wave_titles={w.label: w.title for w in waves},
        demographics=demographics,
        headline=headline,
        headline_chosen=bool(chosen) and headline == chosen,
    )
    return PanelAnswers(data, codings)


def poll_wave(deliberation: Deliberation) -> Wave | None:
    """The poll the report shows: the latest weighted poll, else the latest with answers."""
    polls = Wave.objects.filter(
        deliberation=deliberation,
        kind=Wave.Kind.POLL,
        responses__status=Response.Status.COMPLETE,
        responses__excluded_at__isnull=True,
    ).distinct()
    weighted = polls.filter(weighting_runs__isnull=False).distinct()
    return (
        weighted.order_by("-opens_at", "-pk").first() or polls.order_by("-opens_at", "-pk").first()
    )


def _poll_matrix(
    wave: Wave, items: Sequence[str]
) -> tuple[dict[str, np.ndarray], np.ndarray | None, int, dict[str, list[str]]]:
    """Per item, one stored value per complete respondent (NaN = no answer); the weights
    and each respondent's region, gender and age band."""
    rows = list(
        Response.objects.filter(wave=wave)
        .counted()
        .order_by("pk")
        .values_list("pk", "weight", *STRATA)
    )
    responses = [(pk, weight) for pk, weight, *_ in rows]
    groups = {g: [row[2 + k] or "" for row in rows] for k, g in enumerate(STRATA)}
    position = {pk: k for k, (pk, _) in enumerate(responses)}
    values = {item: np.full(len(responses), np.nan) for item in items}
    for response_id, item, number in Answer.objects.filter(
        COUNTED_ANSWERS,
        response__wave=wave,
        item__in=list(items),
        value_number__isnull=False,
    ).values_list("response_id", "item", "value_number"):
        values[item][position[response_id]] = number
    weights = None
    if responses and all(w is not None for _, w in responses):
        weights = np.array([w for _, w in responses], dtype=np.float64)
    return values, weights, len(responses), groups


def _table(coding: ItemCoding, stored: np.ndarray, weights: np.ndarray | None) -> PollQuestion:
    labels = coding.option_labels
    answers = ["" if np.isnan(v) else labels.get(float(v), f"{v:g}") for v in stored.tolist()]
    question = coding.spec.label
    if coding.question_kind == Question.Kind.GRID:
        question = f"{coding.question_text} — {coding.spec.label}"
    return poll_question(question, answers, weights, order=list(labels.values()))


def poll_data(
    deliberation: Deliberation, core: Sequence[str] = ()
) -> tuple[PollResults | None, PollItems | None]:
    """Weighted shares (with Kish margins of error) of the poll's core items, and their values.

    Core items are those the panel waves also ask (``core``); without panel waves, every
    labelled single-choice, scale and knowledge item of the poll.
    """
    wave = poll_wave(deliberation)
    if wave is None:
        return None, None
    codings = item_codings(questions_of(wave.questionnaire))
    if core:
        chosen = [code for code in core if code in codings]
    else:
        chosen = [c for c, coding in codings.items() if coding.question_kind in POLL_TABLE_KINDS]
    stored, weights, n, groups = _poll_matrix(wave, chosen)
    tables = tuple(
        _table(codings[code], stored[code], weights)
        for code in chosen
        if codings[code].question_kind in POLL_TABLE_KINDS and not np.isnan(stored[code]).all()
    )
    run = WeightingRun.objects.filter(wave=wave).order_by("-created_at", "-pk").first()
    if weights is not None and run is not None:
        method, deff, n_eff = "raking", run.design_effect, run.effective_n
    else:
        weights = None
        method, deff, n_eff = "none", 1.0, float(n)
    results = PollResults(
        wave=wave.title,
        respondents=n,
        weighting=method,
        design_effect=deff,
        effective_n=n_eff,
        questions=tables,
    )
    items = PollItems(
        wave=wave.label,
        values={
            code: np.array([codings[code].value(v) for v in stored[code].tolist()])
            for code in chosen
        },
        weights=weights,
        groups=groups,
    )
    return results, items


def wave_sav_bytes(panel: PanelAnswers) -> bytes:
    """The panel waves in wide format (one row per pseudonym) as an SPSS .sav file."""
    import tempfile
    from pathlib import Path

    from surveys.sav import write_waves_sav

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "waves.sav"
        write_waves_sav(panel.data.answers, panel.data.items, path, panel.data.waves)
        return path.read_bytes()
