"""The XLSX workbook read back: subgroups, attrition and panel-vs-poll sheets equal the JSON."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from django.utils import translation
from openpyxl import load_workbook

from deliberation.report.analysis import MIN_SUBGROUP_PAIRS, analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.workbook import render_xlsx
from surveys.answer_sets import PollItems, WaveData
from surveys.wave_files import LongAnswers
from tests.deliberation.report.test_report import report_data, synthetic_waves

SMALL_GROUP = ("P000", "P001", "P002", "P003")  # four panelists: too few to report
LEAVERS = {f"P{k:03d}" for k in range(50, 60)}  # answer W1 and W2 but not W3


def panel_with_groups_and_leavers() -> WaveData:
    waves = synthetic_waves(n=60)
    a = waves.answers
    keep = [
        k
        for k, (p, w) in enumerate(zip(a.panelist_id, a.wave, strict=True))
        if not (w == "W3" and p in LEAVERS)
    ]
    answers = LongAnswers(
        [a.panelist_id[k] for k in keep],
        [a.wave[k] for k in keep],
        [a.item[k] for k in keep],
        a.value[keep],
    )
    people = [f"P{k:03d}" for k in range(60)]
    region = {p: ("도심권" if p in SMALL_GROUP else "동북권") for p in people}
    gender = {p: ("여성" if k % 3 else "남성") for k, p in enumerate(people)}
    return dataclasses.replace(
        waves, answers=answers, demographics={"region": region, "gender": gender}
    )


def poll() -> PollItems:
    rng = np.random.default_rng(5)
    n = 300
    return PollItems(
        wave="poll",
        values={
            "support": (rng.random(n) < 0.4).astype(float),
            "trust": rng.integers(1, 6, n).astype(float),
            "know": rng.integers(1, 4, n).astype(float),
        },
        weights=rng.uniform(0.5, 1.5, n),
    )


@pytest.fixture(scope="module")
def exported():
    analysis = analyse(report_data(waves=panel_with_groups_and_leavers(), poll_items=poll()))
    with translation.override("en"):
        book = load_workbook(io.BytesIO(render_xlsx(analysis)))
    return analysis_document(analysis), book


def records(book, name: str) -> list[dict]:
    rows = list(book[name].iter_rows(values_only=True))
    header = rows[0]
    assert all(isinstance(h, str) and h for h in header)
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_subgroup_sheet_has_a_row_per_group_and_item_with_the_json_numbers(exported):
    document, book = exported
    rows = {(r["grouping"], r["group"], r["item"]): r for r in records(book, "Subgroups")}
    expected = {
        (grouping, group, e["item"]): e
        for grouping, by_group in document["waves"]["subgroups"].items()
        for group, comparison in by_group.items()
        for e in comparison["items"]
    }
    assert set(rows) == set(expected) and len(rows) == 3 * (2 + 2)
    reported = [key for key, e in expected.items() if not e["too_few_to_report"]]
    assert reported
    for key in reported:
        row, e = rows[key], expected[key]
        assert (row["wave_a"], row["wave_b"]) == ("W1", "W3")
        assert row["label"] == e["label"] and row["type"] == e["type"]
        assert row["n_pairs"] == e["n_pairs"] and row["test"] == e["test"]
        for column in ("statistic", "p_value", "p_adjusted", "change"):
            assert row[column] == pytest.approx(e[column]), column
        if e["effect_size"] is None:
            assert row["effect_size"] is None
        else:
            assert isinstance(row["effect_size"], float)
            assert row["effect_size"] == pytest.approx(e["effect_size"])
        assert row["too_few_to_report"] is False


def test_subgroup_rows_on_too_few_pairs_say_so_instead_of_a_test(exported):
    document, book = exported
    small = [r for r in records(book, "Subgroups") if r["group"] == "도심권"]
    assert len(small) == 3
    for row in small:
        assert row["n_pairs"] == len(SMALL_GROUP) < MIN_SUBGROUP_PAIRS
        assert row["too_few_to_report"] is True and row["note"] == "too few to report"
        assert row["test"] is row["p_value"] is row["effect_size"] is None
    flags = {
        e["too_few_to_report"] for e in document["waves"]["subgroups"]["region"]["도심권"]["items"]
    }
    assert flags == {True} and document["waves"]["subgroup_min_pairs"] == MIN_SUBGROUP_PAIRS


def test_attrition_sheet_has_the_json_shares_and_tests(exported):
    document, book = exported
    attrition = document["waves"]["attrition"]
    assert (attrition["stayers"], attrition["leavers"]) == (50, 10)
    rows = records(book, "Attrition")
    variables = {v["variable"]: v for v in attrition["variables"]}
    assert {(r["variable"], r["category"]) for r in rows} == {
        (name, category) for name, v in variables.items() for category in v["shares_first_wave"]
    }
    for row in rows:
        v = variables[row["variable"]]
        assert row["n_first_wave"] == 60 and row["leavers"] == 10
        assert row["attrition_rate"] == pytest.approx(attrition["rate"])
        assert row["share_first_wave"] == pytest.approx(v["shares_first_wave"][row["category"]])
        assert row["share_stayers"] == pytest.approx(v["shares_stayers"][row["category"]])
        assert row["share_leavers"] == pytest.approx(v["shares_leavers"][row["category"]])
        assert row["max_shift"] == pytest.approx(v["max_shift"])
        assert row["chi2"] == pytest.approx(v["chi2"]) and row["df"] == v["df"]
        assert row["p_value"] == pytest.approx(v["p_value"])


def test_panel_vs_poll_sheet_has_the_json_comparisons(exported):
    document, book = exported
    rows = records(book, "Panel vs poll")
    expected = document["panel_vs_poll"]
    assert [(r["item"], r["wave"]) for r in rows] == [(e["item"], e["wave"]) for e in expected]
    assert {r["wave"] for r in rows} == {"W1", "W3"}
    for row, e in zip(rows, expected, strict=True):
        assert row["label"] == e["label"] and row["measure"] == e["measure"]
        assert row["panel_n"] == e["panel_n"]
        for column in (
            "panel_estimate",
            "poll_estimate",
            "poll_effective_n",
            "poll_margin_of_error",
            "difference",
            "z",
            "p_value",
        ):
            assert isinstance(row[column], float), column
            assert row[column] == pytest.approx(e[column]), column
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(e["ci"])
