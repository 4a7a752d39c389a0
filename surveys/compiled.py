"""Questionnaires read once per process and kept while their revision stays the same.

Every respondent of a wave sees the same questions, so the questions, their answer rules
and the blank form are built once per revision instead of on every request. Any edit
through the builder raises the questionnaire's revision, which retires the cached copy.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from django.utils.translation import get_language

from surveys import items
from surveys.models import Question, Questionnaire
from surveys.questionnaires import questions_of, specs_of

CACHE_SIZE = 32


@dataclass(frozen=True)
class Compiled:
    questions: list[Question]
    specs: list[items.QuestionSpec]
    index: dict[str, int]


_compiled: OrderedDict[tuple[int, int], Compiled] = OrderedDict()
_forms: OrderedDict[tuple[int, int, str], str] = OrderedDict()
_lock = Lock()


def _remember(cache: OrderedDict, key, value) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)


def compiled(questionnaire: Questionnaire) -> Compiled:
    key = (questionnaire.pk, questionnaire.revision)
    found = _compiled.get(key)
    if found is None:
        questions = questions_of(questionnaire)
        specs = specs_of(questions)
        index = {
            item: question.pk
            for question, spec in zip(questions, specs, strict=True)
            for item in spec.item_codes()
        }
        found = Compiled(questions, specs, index)
        _remember(_compiled, key, found)
    return found


def blank_form(questionnaire: Questionnaire, render: Callable[[], str]) -> str:
    """The rendered questions with no answer filled in, in the active language."""
    key = (questionnaire.pk, questionnaire.revision, get_language() or "")
    found = _forms.get(key)
    if found is None:
        found = render()
        _remember(_forms, key, found)
    return found
