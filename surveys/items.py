"""The answer rules of a questionnaire, independent of Django.

A question is described by a QuestionSpec; its answers are stored under item codes (one
per question, one per option of a multiple choice, one per row of a grid). The same
parser checks an online form and a row of a polling firm's file, so both follow one set
of rules: types, ranges, maximum choices, required questions and show-if rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SINGLE = "single"
MULTIPLE = "multiple"
LIKERT = "likert"
SCALE_0_10 = "scale10"
NUMERIC = "numeric"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
KNOWLEDGE = "knowledge"
GRID = "grid"

CHOICE_KINDS = frozenset({SINGLE, LIKERT, KNOWLEDGE, SCALE_0_10})
TEXT_KINDS = frozenset({SHORT_TEXT, LONG_TEXT})
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000

Value = float | str


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: str
    required: bool = True
    options: tuple[int, ...] = ()
    correct: tuple[int, ...] = ()
    grid_items: tuple[str, ...] = ()
    max_choices: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    show_if_code: str | None = None
    show_if_values: tuple[int, ...] = ()

    @property
    def allowed(self) -> tuple[int, ...]:
        return tuple(range(11)) if self.kind == SCALE_0_10 else self.options

    def item_codes(self) -> list[str]:
        if self.kind == MULTIPLE:
            return [f"{self.code}_{value}" for value in self.options]
        if self.kind == GRID:
            return [f"{self.code}_{item}" for item in self.grid_items]
        return [self.code]


@dataclass(frozen=True)
class AnswerProblem:
    """Why an answer was refused: a code and the numbers a message needs."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass
class ParsedAnswers:
    values: dict[str, Value] = field(default_factory=dict)
    problems: dict[str, AnswerProblem] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems


def _number(raw: str) -> float | None:
    try:
        number = float(raw.strip().replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _code(raw: str, allowed: Iterable[int]) -> int | AnswerProblem:
    number = _number(raw)
    if number is None or not number.is_integer():
        return AnswerProblem("not_a_code", {"value": raw})
    if int(number) not in set(allowed):
        return AnswerProblem("unknown_code", {"value": raw})
    return int(number)


def is_shown(spec: QuestionSpec, values: Mapping[str, Value], by_code: Mapping) -> bool:
    """Whether a question applies given the answers to the earlier ones."""
    if not spec.show_if_code:
        return True
    source = by_code.get(spec.show_if_code)
    if source is None:
        return True
    wanted = set(spec.show_if_values)
    if source.kind == MULTIPLE:
        return any(values.get(f"{source.code}_{v}") == 1 for v in wanted)
    return values.get(source.code) in {float(v) for v in wanted}


Getter = Callable[[str], list[str]]


def _check(spec: QuestionSpec, get: Getter) -> tuple[dict[str, Value], AnswerProblem | None]:
    """Read one question's raw values; (values, None) when fine, ({}, problem) when not."""
    if spec.kind in CHOICE_KINDS:
        raw = next((r for r in get(spec.code) if r.strip()), "")
        if not raw:
            return {}, None
        code = _code(raw, spec.allowed)
        return ({}, code) if isinstance(code, AnswerProblem) else ({spec.code: float(code)}, None)
    if spec.kind == MULTIPLE:
        chosen: set[int] = set()
        for raw in (r for r in get(spec.code) if r.strip()):
            code = _code(raw, spec.options)
            if isinstance(code, AnswerProblem):
                return {}, code
            chosen.add(code)
        if not chosen:
            return {}, None
        if spec.max_choices and len(chosen) > spec.max_choices:
            return {}, AnswerProblem("too_many_choices", {"max": spec.max_choices})
        return {f"{spec.code}_{v}": float(v in chosen) for v in spec.options}, None
    if spec.kind == GRID:
        values: dict[str, Value] = {}
        for item in spec.item_codes():
            raw = next((r for r in get(item) if r.strip()), "")
            if not raw:
                continue
            code = _code(raw, spec.options)
            if isinstance(code, AnswerProblem):
                return {}, AnswerProblem(code.code, {**code.params, "item": item})
            values[item] = float(code)
        if values and len(values) < len(spec.grid_items) and spec.required:
            return {}, AnswerProblem("grid_incomplete")
        return values, None
    if spec.kind == NUMERIC:
        raw = next((r for r in get(spec.code) if r.strip()), "")
        if not raw:
            return {}, None
        number = _number(raw)
        if number is None:
            return {}, AnswerProblem("not_a_number", {"value": raw})
        low, high = spec.min_value, spec.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            return {}, AnswerProblem("out_of_range", {"value": raw, "min": low, "max": high})
        return {spec.code: number}, None
    if spec.kind in TEXT_KINDS:
        text = next((r for r in get(spec.code) if r.strip()), "").strip()
        if not text:
            return {}, None
        limit = SHORT_TEXT_MAX if spec.kind == SHORT_TEXT else LONG_TEXT_MAX
        if len(text) > limit:
            return {}, AnswerProblem("too_long", {"max": limit})
        return {spec.code: text}, None
    raise ValueError(f"unknown question kind {spec.kind!r}")


def _reads(spec: QuestionSpec) -> tuple[str, ...]:
    """The names whose raw strings decide a question's answer."""
    return tuple(spec.item_codes()) if spec.kind == GRID else (spec.code,)


def parse(
    specs: Iterable[QuestionSpec],
    get: Getter,
    *,
    partial: bool = False,
    memo: dict | None = None,
) -> ParsedAnswers:
    """Check every question in order; hidden questions are skipped and nothing of them kept.

    ``get(name)`` returns the raw strings submitted under a name (an item code, or the
    question code for a multiple choice). With ``partial`` (save and resume) missing
    required answers are not problems. A caller checking many rows against the same specs
    passes one ``memo`` dict: a question's check depends only on its raw strings, and a
    poll's closed questions take few distinct ones, so each is checked once.
    """
    specs = list(specs)
    by_code = {spec.code: spec for spec in specs}
    result = ParsedAnswers()
    for spec in specs:
        if not is_shown(spec, result.values, by_code):
            continue
        result.shown.append(spec.code)
        if memo is None or spec.kind in TEXT_KINDS:
            values, problem = _check(spec, get)
        else:
            reads = _reads(spec)
            if len(reads) == 1:
                key = (spec.code, *get(reads[0]))
            else:
                key = (spec.code, *(tuple(get(name)) for name in reads))
            cached = memo.get(key)
            if cached is None:
                cached = memo[key] = _check(spec, get)
            values, problem = cached
        if problem is not None:
            result.problems[spec.code] = problem
        elif not values and spec.required and not partial:
            result.problems[spec.code] = AnswerProblem("required")
        else:
            result.values.update(values)
    return result


def getter_for_row(specs: Iterable[QuestionSpec], cells: Mapping[str, str]) -> Getter:
    """Adapt one row of a file (item code -> cell) to parse(): dummies become choices."""
    multiples = {spec.code: spec for spec in specs if spec.kind == MULTIPLE}

    def get(name: str) -> list[str]:
        spec = multiples.get(name)
        if spec is None:
            value = cells.get(name, "")
            return [value] if value is not None else []
        chosen = []
        for option in spec.options:
            raw = (cells.get(f"{name}_{option}") or "").strip()
            if raw and raw not in {"0", "0.0"}:
                if raw not in {"1", "1.0"}:
                    return [f"{raw}?"]
                chosen.append(str(option))
        return chosen

    return get


def score_knowledge(spec: QuestionSpec, value: Value | None) -> int | None:
    """1 for a correct answer, 0 for a wrong one, None when unanswered."""
    if value is None:
        return None
    return int(int(float(value)) in spec.correct)
