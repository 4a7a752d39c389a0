"""Reading one item of a wave as arrays (values, weights, strata) for the results pages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max, Sum

from panels.strata import STRATA
from surveys.datasets import item_variables
from surveys.exports import NUMBER
from surveys.models import COUNTED_ANSWERS, Answer, Question, Response, Wave, WeightingRun
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


# A wave's arrays are kept per version of its counted responses: the results pages of a
# large poll read them again for every question and grouping, and they change only when
# responses are added, excluded or weighted again, which changes the version.
CACHE_SECONDS = 600


def wave_version(wave: Wave) -> str:
    """How many responses count, the newest, and their weights' sum and weighting run: one
    aggregate query."""
    counted = Response.objects.filter(wave=wave).counted()
    figures = counted.aggregate(n=Count("pk"), last=Max("pk"), weights=Sum("weight"))
    run = WeightingRun.objects.filter(wave=wave).aggregate(last=Max("pk"))["last"]
    return f"{figures['n']}-{figures['last']}-{figures['weights']!r}-{run}"


def _respondents(wave: Wave, version: str) -> dict:
    key = f"surveys:respondents:{wave.pk}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = list(
        Response.objects.filter(wave=wave)
        .counted()
        .order_by("pk")
        .values_list("pk", "weight", *STRATA)
    )
    weights = None
    if rows and all(row[1] is not None for row in rows):
        weights = np.array([row[1] for row in rows], dtype=float)
    strata = {}
    for i, group in enumerate(STRATA):
        labels, codes = np.unique(
            np.array([row[2 + i] for row in rows], dtype=str), return_inverse=True
        )
        strata[group] = (labels, codes.astype(np.int32))
    result = {
        "pks": np.array([row[0] for row in rows], dtype=np.int64),
        "weights": weights,
        "strata": strata,
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


def _values(wave: Wave, item: str, pks: np.ndarray, version: str) -> np.ndarray:
    key = f"surveys:item-values:{wave.pk}:{version}:{item}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    answered = np.array(
        Answer.objects.filter(
            COUNTED_ANSWERS, response__wave=wave, item=item, value_number__isnull=False
        ).values_list("response_id", "value_number"),
        dtype=float,
    ).reshape(-1, 2)
    values = np.full(len(pks), np.nan)
    ids = answered[:, 0].astype(np.int64)
    position = np.searchsorted(pks, ids).clip(max=max(len(pks) - 1, 0))
    # Only respondents of the version read (one submitted between the two queries waits).
    known = pks[position] == ids if len(pks) else np.zeros(len(ids), dtype=bool)
    values[position[known]] = answered[known, 1]
    cache.set(key, values, CACHE_SECONDS)
    return values


def item_data(wave: Wave, item: str) -> ItemData:
    """All counted respondents (NaN where this item is unanswered), from the cache of the
    wave's version, else in two queries."""
    version = wave_version(wave)
    respondents = _respondents(wave, version)
    values = _values(wave, item, respondents["pks"], version)
    strata = {
        group: labels[codes].tolist() for group, (labels, codes) in respondents["strata"].items()
    }
    return ItemData(values, respondents["weights"], strata)
