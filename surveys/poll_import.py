"""Checking a polling firm's table against a questionnaire, row by row, before import.

Independent of Django: the caller passes the answer rules and the strata the deliberation
uses, and gets back every good row and every bad cell (row, column, value, reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from panels import strata
from surveys import items
from surveys.poll_files import Table

RESPONDENT_ID = "respondent_id"
REGION = "region"
DISTRICT = "district"
GENDER = "gender"
BIRTH_YEAR = "birth_year"
AGE_BAND = "age_band"
DURATION = "duration_seconds"
PROFILE_TARGETS = (RESPONDENT_ID, REGION, DISTRICT, GENDER, BIRTH_YEAR, AGE_BAND, DURATION)
MAX_ID_LENGTH = 40


# Headers polling firms commonly use, in Korean and English, for the respondent fields.
# They are compared without case, spaces, underscores or hyphens.
HEADER_ALIASES = {
    RESPONDENT_ID: ("id", "respid", "respondentid", "응답자id", "응답자번호", "번호"),
    REGION: ("region", "권역", "권역구분"),
    DISTRICT: ("district", "지역", "시군구", "자치구", "거주지역", "sigungu"),
    GENDER: ("gender", "sex", "성별"),
    BIRTH_YEAR: ("birthyear", "yearofbirth", "yob", "출생연도", "출생년도", "생년"),
    AGE_BAND: ("ageband", "agegroup", "age", "연령", "연령대", "나이", "나이대"),
    DURATION: ("duration", "durationseconds", "소요시간", "응답시간"),
}
_BY_ALIAS = {alias: target for target, names in HEADER_ALIASES.items() for alias in names}


def header_key(header: str) -> str:
    """A header as compared with the aliases: no case, spaces, underscores or hyphens."""
    return "".join(ch for ch in header.casefold() if not ch.isspace() and ch not in "_-")


def suggest_mapping(
    columns: Sequence[str], items: Sequence[str], remembered: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A target for each column: the wave's last mapping of that column, else a question
    item of that name, else a respondent field the header names, else nothing."""
    remembered = remembered or {}
    known = set(PROFILE_TARGETS) | set(items)
    item_codes = {code.strip().lower(): code for code in (*PROFILE_TARGETS, *items)}
    mapping: dict[str, str] = {}
    for column in columns:
        if column in remembered and (not remembered[column] or remembered[column] in known):
            mapping[column] = remembered[column]
            continue
        target = item_codes.get(column.strip().lower()) or _BY_ALIAS.get(header_key(column), "")
        mapping[column] = target if target not in mapping.values() else ""
    return mapping


@dataclass(frozen=True)
class Strata:
    regions: Sequence[str] = ()
    districts: Mapping[str, str] = field(default_factory=dict)
    genders: Sequence[str] = ()
    age_bands: Sequence[strata.AgeBand] = ()
    reference_year: int = 2000


@dataclass(frozen=True)
class BadCell:
    row: int  # 1-based data row; the header is row 0
    column: str
    value: str
    problem: items.AnswerProblem


@dataclass
class GoodRow:
    row: int
    respondent_id: str
    profile: dict[str, Any]
    values: dict[str, items.Value]


@dataclass
class Validation:
    good: list[GoodRow] = field(default_factory=list)
    bad: list[BadCell] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    total_rows: int = 0

    def add(self, cell: BadCell) -> None:
        self.bad.append(cell)
        self.bad_rows.add(cell.row)


def check_mapping(mapping: Mapping[str, str], specs: Sequence[items.QuestionSpec]) -> list[str]:
    """Problems with the column-to-question mapping itself, as plain English sentences."""
    problems = []
    targets = [t for t in mapping.values() if t]
    if RESPONDENT_ID not in targets:
        problems.append("map one column to the respondent id")
    duplicates = sorted({t for t in targets if targets.count(t) > 1})
    problems += [f"{t} is mapped from more than one column" for t in duplicates]
    known = set(PROFILE_TARGETS) | {i for spec in specs for i in spec.item_codes()}
    problems += [
        f"{t} is not a question item or a respondent field" for t in targets if t not in known
    ]
    for spec in specs:
        if (
            spec.required
            and not spec.show_if_code
            and not any(i in targets for i in spec.item_codes())
        ):
            problems.append(f"required question {spec.code} is not mapped to any column")
    return problems


def _column_for(
    spec: items.QuestionSpec, problem: items.AnswerProblem, by_target: Mapping[str, str]
) -> str:
    item = problem.params.get("item")
    if item and item in by_target:
        return by_target[item]
    for code in spec.item_codes():
        if code in by_target:
            return by_target[code]
    return spec.code


def validate(
    table: Table,
    mapping: Mapping[str, str],
    specs: Sequence[items.QuestionSpec],
    context: Strata,
) -> Validation:
    """Check every row; a row is good only if all its cells are."""
    by_target = {target: column for column, target in mapping.items() if target}
    index = {column: i for i, column in enumerate(table.columns)}
    specs_by_code = {spec.code: spec for spec in specs}
    item_columns = [
        (target, index[column])
        for target, column in by_target.items()
        if target not in PROFILE_TARGETS
    ]
    result = Validation(total_rows=len(table.rows))
    seen_ids: dict[str, int] = {}
    memo: dict = {}
    for number, cells in enumerate(table.rows, start=1):

        def cell(target: str, cells=cells) -> str:
            column = by_target.get(target)
            return cells[index[column]].strip() if column is not None else ""

        before = len(result.bad)
        respondent_id = cell(RESPONDENT_ID)
        column = by_target[RESPONDENT_ID]
        if not respondent_id:
            result.add(BadCell(number, column, "", items.AnswerProblem("missing_id")))
        elif len(respondent_id) > MAX_ID_LENGTH:
            result.add(
                BadCell(
                    number,
                    column,
                    respondent_id,
                    items.AnswerProblem("id_too_long", {"max": MAX_ID_LENGTH}),
                )
            )
        elif respondent_id in seen_ids:
            result.add(
                BadCell(
                    number,
                    column,
                    respondent_id,
                    items.AnswerProblem("duplicate_id", {"first": seen_ids[respondent_id]}),
                )
            )
        else:
            seen_ids[respondent_id] = number
        profile = _profile(number, cell, by_target, context, result)
        raw = {target: cells[i].strip() for target, i in item_columns}
        parsed = items.parse(specs, items.getter_for_row(specs, raw), memo=memo)
        for code, problem in parsed.problems.items():
            spec = specs_by_code[code]
            column = _column_for(spec, problem, by_target)
            value = cells[index[column]] if column in index else ""
            result.add(BadCell(number, column, value, problem))
        if len(result.bad) == before:
            result.good.append(GoodRow(number, respondent_id, profile, parsed.values))
    return result


def _profile(number, cell, by_target, context: Strata, result: Validation) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    district = cell(DISTRICT)
    region = cell(REGION)
    if district:
        mapped = context.districts.get(district)
        if mapped is None:
            result.add(
                BadCell(
                    number, by_target[DISTRICT], district, items.AnswerProblem("unknown_district")
                )
            )
        elif region and region != mapped:
            result.add(
                BadCell(
                    number,
                    by_target[REGION],
                    region,
                    items.AnswerProblem(
                        "region_mismatch", {"district": district, "region": mapped}
                    ),
                )
            )
        else:
            region = mapped
        profile[DISTRICT] = district
    if region and context.regions and region not in context.regions:
        result.add(
            BadCell(number, by_target[REGION], region, items.AnswerProblem("unknown_region"))
        )
    profile[REGION] = region
    gender = cell(GENDER)
    if gender and context.genders and gender not in context.genders:
        result.add(
            BadCell(number, by_target[GENDER], gender, items.AnswerProblem("unknown_gender"))
        )
    profile[GENDER] = gender
    band = cell(AGE_BAND)
    labels = [b.label for b in context.age_bands]
    if band and labels and band not in labels:
        result.add(
            BadCell(number, by_target[AGE_BAND], band, items.AnswerProblem("unknown_age_band"))
        )
    raw_year = cell(BIRTH_YEAR)
    if raw_year:
        try:
            year = int(float(raw_year))
        except ValueError:
            year = None
        if year is None or not 1900 <= year <= context.reference_year:
            result.add(
                BadCell(
                    number, by_target[BIRTH_YEAR], raw_year, items.AnswerProblem("bad_birth_year")
                )
            )
        else:
            profile[BIRTH_YEAR] = year
            derived = strata.age_band(year, context.reference_year, context.age_bands)
            if derived is None:
                result.add(
                    BadCell(
                        number, by_target[BIRTH_YEAR], raw_year, items.AnswerProblem("no_age_band")
                    )
                )
            elif band and band != derived:
                result.add(
                    BadCell(
                        number,
                        by_target[AGE_BAND],
                        band,
                        items.AnswerProblem("age_band_mismatch", {"derived": derived}),
                    )
                )
            band = derived or band
    profile[AGE_BAND] = band
    raw_duration = cell(DURATION)
    if raw_duration:
        try:
            profile[DURATION] = max(0, int(float(raw_duration)))
        except ValueError:
            result.add(
                BadCell(
                    number,
                    by_target[DURATION],
                    raw_duration,
                    items.AnswerProblem("not_a_number", {"value": raw_duration}),
                )
            )
    return profile
