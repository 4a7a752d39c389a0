"""The panelists' evaluation of the process (E1..E4 of the last panel wave) in the report."""

from __future__ import annotations

from django.utils import translation

from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.document import report_context
from surveys.wave_data import panel_codings
from tests.deliberation.report.test_report import report_data

FAIR = "The deliberation process was fair."


def test_report_json_and_page_carry_the_evaluation():
    data = report_data(evaluation={"E1": (FAIR, [5, 4, 4, 2]), "E2": ("Balanced?", [])})
    analysis = analyse(data)
    document = analysis_document(analysis)
    assert document["process_evaluation"] == [
        {"item": "E1", "question": FAIR, "n": 4, "agree_share": 0.75, "mean": 3.75}
    ]
    with translation.override("en"):
        context = report_context(analysis, for_pdf=True)
    sentence = context["evaluation"][0]["sentence"]
    assert "75.0%" in sentence and "4 panelists" in sentence and FAIR in sentence


def test_evaluation_items_stay_out_of_the_wave_comparisons(db):
    from surveys.models import Question
    from tests.surveys.factories import QuestionnaireFactory, WaveFactory

    questionnaire = QuestionnaireFactory()
    for order, code in enumerate(("Q1", "E1")):
        question = Question.objects.create(
            questionnaire=questionnaire, order=order, code=code, kind="likert", text_ko=code
        )
        for value in range(1, 6):
            question.options.create(order=value, value=value, label_ko=str(value))
    wave = WaveFactory(questionnaire=questionnaire, kind="post")
    assert set(panel_codings([wave])) == {"Q1"}


def test_xlsx_has_panel_weight_and_evaluation_sheets():
    import io

    from openpyxl import load_workbook

    from deliberation.report.workbook import render_xlsx

    content = render_xlsx(analyse(report_data(evaluation={"E1": (FAIR, [5, 4])})))
    book = load_workbook(io.BytesIO(content))
    assert {"Panel weights", "Process evaluation"} <= set(book.sheetnames)
    rows = list(book["Process evaluation"].values)
    assert rows[1] == ("E1", FAIR, 2, 1.0, 4.5)
