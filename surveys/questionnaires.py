"""Reading a questionnaire: its questions in order, as answer rules, and their messages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from surveys import items
from surveys.models import GridItem, Option, Question, Questionnaire

PROBLEM_MESSAGES = {
    "required": _("Please answer this question."),
    "not_a_code": _("“%(value)s” is not one of the answer codes."),
    "unknown_code": _("“%(value)s” is not one of the answer codes."),
    "too_many_choices": _("Choose at most %(max)s."),
    "grid_incomplete": _("Please answer every row."),
    "not_a_number": _("“%(value)s” is not a number."),
    "out_of_range": _("Enter a number from %(min)s to %(max)s."),
    "too_long": _("Use at most %(max)s characters."),
    "missing_id": _("The respondent id is empty."),
    "id_too_long": _("The respondent id is longer than %(max)s characters."),
    "duplicate_id": _("This respondent id was already used in row %(first)s."),
    "unknown_district": _("This district is not one of the deliberation's districts."),
    "region_mismatch": _("%(district)s belongs to %(region)s."),
    "unknown_region": _("This region is not one of the deliberation's regions."),
    "unknown_gender": _("This gender is not one of the categories used for weighting."),
    "unknown_age_band": _("This age band is not one of the deliberation's age bands."),
    "bad_birth_year": _("This is not a plausible year of birth."),
    "no_age_band": _("This year of birth falls outside every age band of the study."),
    "age_band_mismatch": _("The year of birth gives the age band %(derived)s."),
}


def problem_message(problem: items.AnswerProblem) -> str:
    params = {
        key: ("" if value is None else _plain(value)) for key, value in problem.params.items()
    }
    return str(PROBLEM_MESSAGES[problem.code]) % params


def _plain(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    """Questions with their options and grid rows, in order, in three queries."""
    return list(
        questionnaire.questions.select_related("show_if_question").prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "value")),
            Prefetch("grid_items", queryset=GridItem.objects.order_by("order", "pk")),
        )
    )


def spec_of(question: Question) -> items.QuestionSpec:
    options = list(question.options.all())
    return items.QuestionSpec(
        code=question.code,
        kind=question.kind,
        required=question.required,
        options=tuple(option.value for option in options),
        correct=tuple(option.value for option in options if option.is_correct),
        grid_items=tuple(row.code for row in question.grid_items.all()),
        max_choices=question.max_choices,
        min_value=question.min_value,
        max_value=question.max_value,
        show_if_code=question.show_if_question.code if question.show_if_question else None,
        show_if_values=tuple(int(v) for v in question.show_if_values or ()),
    )


def specs_of(questions: list[Question]) -> list[items.QuestionSpec]:
    return [spec_of(question) for question in questions]


LIKERT_LABELS = {
    5: [
        ("전혀 동의하지 않는다", "Strongly disagree"),
        ("동의하지 않는다", "Disagree"),
        ("보통이다", "Neither agree nor disagree"),
        ("동의한다", "Agree"),
        ("매우 동의한다", "Strongly agree"),
    ],
    7: [
        ("전혀 동의하지 않는다", "Strongly disagree"),
        ("동의하지 않는다", "Disagree"),
        ("약간 동의하지 않는다", "Somewhat disagree"),
        ("보통이다", "Neither agree nor disagree"),
        ("약간 동의한다", "Somewhat agree"),
        ("동의한다", "Agree"),
        ("매우 동의한다", "Strongly agree"),
    ],
}


def item_index(questions: Iterable[Question], specs: Iterable[items.QuestionSpec]) -> dict:
    """Item code -> question id, for writing the long table."""
    return {
        item: question.pk
        for question, spec in zip(questions, specs, strict=True)
        for item in spec.item_codes()
    }
