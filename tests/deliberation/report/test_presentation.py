"""How the report prints its numbers: no negative zero, small subgroups, Likert tables."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from deliberation.report.analysis import MIN_SUBGROUP_PAIRS, PanelPollRow, ReportAnalysis, analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.document import render_document, report_context
from deliberation.report.text import describe_change, fixed
from surveys.stats import PanelPollComparison, compare_ordinal
from tests.deliberation.report.test_report import report_data, synthetic_waves
from tests.deliberation.report.test_workbook import SMALL_GROUP, panel_with_groups_and_leavers


@pytest.mark.parametrize(
    "value,digits,signed,text",
    [
        (-0.0004, 1, False, "0.0"),
        (-0.04, 1, True, "0.0"),
        (0.04, 1, True, "0.0"),
        (-0.004, 2, True, "0.00"),
        (-0.0, 0, False, "0"),
        (-0.06, 1, True, "-0.1"),
        (0.06, 1, True, "+0.1"),
        (12.345, 2, False, "12.35"),
    ],
)
def test_numbers_that_round_to_zero_print_without_a_sign(value, digits, signed, text):
    assert fixed(value, digits, signed=signed) == text


def test_a_panel_poll_difference_that_rounds_to_zero_prints_as_zero():
    comparison = PanelPollComparison(
        measure="proportion",
        panel_estimate=0.50,
        panel_n=200,
        poll_estimate=0.50004,
        poll_effective_n=800.0,
        poll_margin_of_error=0.035,
        difference=-0.00004,
        ci=(-0.08, 0.08),
        statistic=-0.001,
        p_value=0.999,
    )
    data = report_data(waves=synthetic_waves())
    analysis = ReportAnalysis(data, None, (PanelPollRow("support", "W3", comparison),))
    (row,) = report_context(analysis)["panel_vs_poll"]
    assert row["difference"] == "0.0%p"
    assert row["ci"] == "-8.0%p – +8.0%p"


def test_a_mean_that_rounds_to_zero_is_described_without_a_sign():
    result = compare_ordinal([-0.001, 0.0, 0.001, 0.0], [0.002, 0.001, -0.004, 0.0], "x")
    with translation.override("en"):
        sentence = describe_change(result, "x", "W1", "W2")
    assert "-0.00" not in sentence and "0.00" in sentence


@pytest.fixture(scope="module")
def grouped():
    return analyse(report_data(waves=panel_with_groups_and_leavers()))


def test_small_subgroups_show_too_few_to_report_instead_of_effect_sizes(grouped):
    with translation.override("en"):
        context = report_context(grouped)
    region = next(b for b in context["waves"]["subgroups"] if b["name"] == "Region")
    groups = [g["name"] for g in region["groups"]]
    small, large = groups.index("도심권"), groups.index("동북권")
    assert region["groups"][small]["n"] == len(SMALL_GROUP)
    for row in region["rows"]:
        assert row["cells"][small] == {"text": "too few to report", "too_few": True}
        assert not row["cells"][large]["too_few"]
        assert "too few" not in row["cells"][large]["text"]


def test_the_threshold_is_ten_pairs(grouped):
    sizes = {
        group: max(r.n_pairs for r in comparison.items)
        for group, comparison in grouped.waves.subgroups["gender"].items()
    }
    assert MIN_SUBGROUP_PAIRS == 10 and min(sizes.values()) >= MIN_SUBGROUP_PAIRS
    document = analysis_document(grouped)
    for comparison in document["waves"]["subgroups"]["gender"].values():
        assert {e["too_few_to_report"] for e in comparison["items"]} == {False}


def test_the_printable_document_says_too_few_to_report_in_korean(grouped):
    with translation.override("ko"):
        html = render_document(grouped)
    cells = re.findall(r'<td class="num too-few">([^<]*)</td>', html)
    assert cells == ["사례 수 부족"] * 3
    assert "10명 미만이면" in html


def test_likert_tables_put_each_question_above_its_waves():
    with translation.override("en"):
        analysis = analyse(report_data(waves=synthetic_waves()))
        context = report_context(analysis, for_pdf=True)
        html = render_document(analysis)
    (block,) = context["waves"]["likert"]
    assert [item["label"] for item in block["items"]] == ["시 행정 신뢰"]
    assert [r["wave"] for r in block["items"][0]["rows"]] == ["사전", "사후"]
    assert block["category_words"][0] == ["전혀"]
    table = html[html.index('<table class="likert">') :]
    table = table[: table.index("</table>")]
    assert '<col class="likert-wave">' in table
    assert '<th scope="rowgroup" colspan="6"><span lang="ko">시 행정 신뢰</span></th>' in table
    row = r"<tr><td><span lang=\"ko\">사전</span></td>(<td class=\"num\">\d+%</td>){5}</tr>"
    assert re.search(row, table)
