"""Reading one item of a wave as arrays (values, weights, strata) for the results pages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panels.strata import STRATA
from surveys.datasets import item_variables
from surveys.exports import NUMBER
from surveys.models import COUNTED_ANSWERS, Answer, Question, Response, Wave
from surveys.questionnaires import questions_of

CATEGORICAL = {
    Question.Kind.SINGLE,
    Question.Kind.MULTIPLE,
    Question.Kind.LIKERT,
    Question.Kind.SCALE_0_10,
    Question.Kind.KNOWLEDGE,
    Question.Kind.GRID,
}


@dataclass(frozen=True)
class ItemInfo:
    item: str
    label: str
    kind: str
    value_labels: dict[float, str]

    @property
    def is_categorical(self) -> bool:
        return self.kind in CATEGORICAL


def wave_items(wave: Wave) -> list[ItemInfo]:
    """Every numeric item of the wave (text answers are not tabulated), in the page's language."""
    questions = questions_of(wave.questionnaire)
    kinds = {q.code: q.kind for q in questions}
    infos = []
    for item, variable in item_variables(questions, page_language=True):
        if variable.kind != NUMBER:
            continue
        code = item if item in kinds else item.rsplit("_", 1)[0]
        labels = {float(k): v for k, v in variable.value_labels.items()}
        if kinds[code] == Question.Kind.SCALE_0_10:
            labels = {float(k): labels.get(float(k), str(k)) for k in range(11)}
        infos.append(ItemInfo(item, variable.label, kinds[code], labels))
    return infos


@dataclass
class ItemData:
    values: np.ndarray
    weights: np.ndarray | None
    strata: dict[str, list[str]]


def item_data(wave: Wave, item: str) -> ItemData:
    """All counted respondents (NaN where this item is unanswered), in one query each."""
    responses = list(
        Response.objects.filter(wave=wave)
        .counted()
        .order_by("pk")
        .values_list("pk", "weight", *STRATA)
    )
    position = {row[0]: i for i, row in enumerate(responses)}
    values = np.full(len(responses), np.nan)
    for response_id, number in Answer.objects.filter(
        COUNTED_ANSWERS, response__wave=wave, item=item
    ).values_list("response_id", "value_number"):
        if number is not None:
            values[position[response_id]] = number
    weights = None
    if responses and all(row[1] is not None for row in responses):
        weights = np.array([row[1] for row in responses], dtype=float)
    strata = {g: [row[2 + i] for row in responses] for i, g in enumerate(STRATA)}
    return ItemData(values, weights, strata)
