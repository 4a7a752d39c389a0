"""The policy-recommendation report: data, sentences, page, exports, PDF and background renders."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import uuid

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader
from scipy import stats as sps

from deliberation.report.actions import do_request_report_render
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.data import ReportData
from deliberation.report.document import report_context
from deliberation.report.jobs import run_render
from deliberation.report.models import ReportNarrative, ReportRender
from deliberation.report.pdf import render_pdf
from deliberation.report.selectors import build_report_data
from deliberation.report.text import describe_change, format_p
from deliberation.report.workbook import render_xlsx
from panels.models import PopulationMargin
from surveys.answer_sets import WaveData
from surveys.stats import compare_binary
from surveys.wave_files import ItemSpec, LongAnswers
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    PanelistFactory,
    StageFactory,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
TOL = dict(rel=1e-9, abs=1e-12)


def binary_result(before: int, after: int, n: int = 100, both: int | None = None):
    """n pairs: ``before`` yes in wave A, ``after`` yes in wave B."""
    both = min(before, after) if both is None else both
    a = np.zeros(n)
    b = np.zeros(n)
    a[:before] = 1
    b[:both] = 1
    b[before : before + (after - both)] = 1
    return compare_binary(a, b, "q1")


# Plain-language sentences -----------------------------------------------------------


def test_sentence_says_support_rose_with_the_numbers():
    result = binary_result(35, 50)
    with translation.override("en"):
        sentence = describe_change(result, "Build the facility", "W1", "W2")
    assert "Build the facility: support rose from 35% in W1 to 50% in W2" in sentence
    assert format_p(result.p_value) in sentence
    assert "statistically significant." in sentence


def test_sentence_says_support_fell_and_not_significant():
    result = binary_result(50, 47, both=45)
    with translation.override("en"):
        sentence = describe_change(result, "q", "W1", "W2")
    assert "support fell from 50% in W1 to 47% in W2" in sentence
    assert "not statistically significant" in sentence


def test_sentence_is_translated_to_korean():
    result = binary_result(35, 50)
    with translation.override("ko"):
        sentence = describe_change(result, "소각장 건립", "1차", "3차")
    assert sentence.startswith("소각장 건립: 찬성이 1차 35%에서 3차 50%(으)로 올랐습니다")
    assert "통계적으로 유의합니다" in sentence


def test_sentence_for_an_untested_item_says_why():
    result = compare_binary([], [], "q")
    with translation.override("en"):
        assert "too few panelists" in describe_change(result, "q", "W1", "W2")


def test_p_values_are_printed_as_reports_print_them():
    assert format_p(0.0004) == "p < 0.001"
    assert format_p(0.0021) == "p = 0.002"


# Report data and analysis --------------------------------------------------------------


def synthetic_waves(n: int = 60, seed: int = 3) -> WaveData:
    rng = np.random.default_rng(seed)
    ids, waves, items, values = [], [], [], []
    for k in range(n):
        support = float(rng.random() < 0.35)
        trust = float(rng.integers(1, 6))
        known = float(rng.integers(1, 4))
        for w_index, wave in enumerate(("W1", "W2", "W3")):
            if w_index:
                support = 1.0 if rng.random() < 0.15 else support
                trust = float(min(5, max(1, trust + rng.integers(-1, 2))))
                known = 2.0 if rng.random() < 0.3 else known
            for item, value in (("support", support), ("trust", trust), ("know", known)):
                ids.append(f"P{k:03d}")
                waves.append(wave)
                items.append(item)
                values.append(value)
    answers = LongAnswers(ids, waves, items, np.array(values))
    specs = {
        "support": ItemSpec("support", "binary", label="소각장 건립 찬성"),
        "trust": ItemSpec(
            "trust",
            "ordinal",
            label="시 행정 신뢰",
            value_labels={1.0: "전혀", 2.0: "별로", 3.0: "보통", 4.0: "조금", 5.0: "매우"},
        ),
        "know": ItemSpec("know", "knowledge", correct=2.0, label="매립지 종료 시점"),
    }
    return WaveData(answers, specs, ("W1", "W2", "W3"), {"W1": "사전", "W3": "사후"})


def report_data(**extra) -> ReportData:
    return ReportData(
        slug="demo",
        title="서울시 공론화",
        agenda="폐기물",
        city="서울특별시",
        is_demo=True,
        generated_at=timezone.now(),
        **extra,
    )


def test_waves_are_compared_consecutively_and_first_to_last():
    analysis = analyse(report_data(waves=synthetic_waves()))
    pairs = [(c.wave_a, c.wave_b) for c in analysis.waves.comparisons]
    assert pairs == [("W1", "W2"), ("W2", "W3"), ("W1", "W3")]
    assert (analysis.waves.headline.wave_a, analysis.waves.headline.wave_b) == ("W1", "W3")


def test_report_numbers_equal_scipy_on_the_same_pairs():
    data = synthetic_waves()
    document = analysis_document(analyse(report_data(waves=data)))
    headline = document["comparisons"][-1]
    trust = next(e for e in headline["items"] if e["item"] == "trust")
    a = data.answers
    w1 = {
        p: v
        for p, w, i, v in zip(a.panelist_id, a.wave, a.item, a.value, strict=True)
        if (w, i) == ("W1", "trust")
    }
    w3 = {
        p: v
        for p, w, i, v in zip(a.panelist_id, a.wave, a.item, a.value, strict=True)
        if (w, i) == ("W3", "trust")
    }
    x = np.array([w1[p] for p in sorted(w1)])
    y = np.array([w3[p] for p in sorted(w1)])
    ref = sps.wilcoxon(y, x, zero_method="wilcox")
    assert trust["p_value"] == pytest.approx(ref.pvalue, **TOL)
    assert document["schema"] == "gongnon.analysis/1" and document["kind"] == "report"


def test_empty_sections_are_null_or_empty_in_the_json():
    document = analysis_document(analyse(report_data()))
    assert document["poll"] is None
    assert document["waves"] is None
    assert document["comparisons"] == [] and document["recommendations"] == []


def test_charts_on_the_page_each_have_a_table_of_their_numbers():
    with translation.override("en"):
        context = report_context(analyse(report_data(waves=synthetic_waves())))
    waves = context["waves"]
    assert waves["likert"] and waves["slopes"] and waves["knowledge"]
    for block in (*waves["likert"], *waves["slopes"]):
        assert block["svg"].startswith("<svg") and block["rows"]
    assert len(waves["sentences"]) == 3


@pytest.fixture
def deliberation_with_panel(db):
    deliberation = DeliberationFactory(is_demo=True)
    StageFactory(deliberation=deliberation)
    for value, share in (("도심권", "0.4"), ("동북권", "0.6")):
        PopulationMargin.objects.create(
            deliberation=deliberation, feature="region", value=value, share=share
        )
    for region, count in (("도심권", 9), ("동북권", 21)):
        for _ in range(count):
            PanelistFactory(deliberation=deliberation, region=region)
    PanelistFactory(deliberation=deliberation, region="도심권", status="declined")
    return deliberation


def test_representativeness_compares_the_panel_without_declined_seats(deliberation_with_panel):
    data = build_report_data(deliberation_with_panel)
    (fit,) = data.representativeness
    assert fit.n == 30
    ref = sps.chisquare([9, 21], f_exp=[12, 18])
    assert fit.statistic == pytest.approx(ref.statistic, **TOL)
    assert data.process.panel_size == 30


# Pages, exports and access -----------------------------------------------------------


def test_exports_carry_no_names_or_e_mails(client, deliberation_with_panel, analyst):
    client.force_login(analyst)
    slug = deliberation_with_panel.slug
    body = client.get(reverse("report:analysis_json", args=[slug])).content.decode()
    document = json.loads(body)
    assert document["representativeness"][0]["n"] == 30
    book = load_workbook(
        io.BytesIO(client.get(reverse("report:analysis_xlsx", args=[slug])).content)
    )
    cells = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    )
    for text in (body, cells):
        assert "@example.org" not in text
        assert not re.search(r"\buser\d+\b", text)


def test_xlsx_has_a_sheet_per_analysis():
    content = render_xlsx(analyse(report_data(waves=synthetic_waves())))
    names = load_workbook(io.BytesIO(content)).sheetnames
    assert {"Stages", "Representativeness", "Poll", "W1-W2", "W2-W3", "W1-W3"} <= set(names)
    assert "Knowledge index" in names and "Recommendations" in names
    assert {"Subgroups", "Attrition", "Panel vs poll"} <= set(names)


def test_narrative_is_saved_and_shown_escaped_with_line_breaks(
    client, deliberation_with_panel, organizer
):
    client.force_login(organizer)
    slug = deliberation_with_panel.slug
    url = reverse("report:narrative", args=[slug])
    text = "첫 문단 <script>alert(1)</script>\n\n둘째 문단"
    response = client.post(url, {"summary": text, "methodology": ""})
    assert response.status_code == 302
    saved = ReportNarrative.objects.get(deliberation=deliberation_with_panel)
    assert saved.section == "summary" and saved.updated_by == organizer
    html = client.get(reverse("report:page", args=[slug]), **ENGLISH).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "<p>둘째 문단</p>" in html


def test_oversized_narrative_is_refused_and_nothing_saved(client, deliberation_with_panel, analyst):
    client.force_login(analyst)
    url = reverse("report:narrative", args=[deliberation_with_panel.slug])
    response = client.post(url, {"summary": "x" * 20_001}, **ENGLISH)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not ReportNarrative.objects.exists()


@pytest.mark.pdf
def test_render_is_queued_once_and_runs_to_a_downloadable_pdf(
    client, deliberation_with_panel, analyst, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(analyst)
    slug = deliberation_with_panel.slug
    url = reverse("report:renders", args=[slug])
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(url, HTTP_ACCEPT="application/json").json()
        second = client.post(url, HTTP_ACCEPT="application/json").json()
    assert first["id"] == second["id"] and first["status"] == "queued"
    assert len(callbacks) == 1
    download = reverse("report:render_file", args=[slug, first["id"]])
    assert client.get(download).status_code == 404

    run_render(first["id"])

    status = client.get(first["status_url"]).json()
    assert status["status"] == "done" and status["progress"] == 100
    response = client.get(status["download_url"])
    pdf = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF")
    stored = ReportRender.objects.get(pk=first["id"]).file.path
    assert stored.startswith(str(tmp_path / "private"))


def test_render_of_another_deliberation_is_not_found(client, deliberation_with_panel, analyst):
    other = ReportRender.objects.create(deliberation=DeliberationFactory())
    client.force_login(analyst)
    url = reverse("report:render_status", args=[deliberation_with_panel.slug, other.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.pdf
def test_render_is_made_by_its_task_queued_after_commit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deliberation = DeliberationFactory()
    ForumGroupFactory(session__deliberation=deliberation)
    render = do_request_report_render(deliberation, actor=None, language="en")
    render.refresh_from_db()
    assert render.status == ReportRender.Status.DONE, render.error
    assert render.task_id
    assert render.file.read(4) == b"%PDF"


def test_a_render_whose_task_is_gone_gives_way_to_a_new_one(db):
    deliberation = DeliberationFactory()
    stale = ReportRender.objects.create(
        deliberation=deliberation, status=ReportRender.Status.RUNNING, task_id=str(uuid.uuid4())
    )
    render = do_request_report_render(deliberation, actor=None)
    assert render.pk != stale.pk
    stale.refresh_from_db()
    assert (stale.status, stale.error) == (ReportRender.Status.FAILED, "interrupted")


def test_an_analyst_cancels_a_queued_render_and_the_worker_then_skips_it(
    client, deliberation_with_panel, analyst
):
    client.force_login(analyst)
    render = do_request_report_render(deliberation_with_panel, actor=analyst)
    url = reverse("report:render_cancel", args=[deliberation_with_panel.slug, render.pk])
    data = client.post(url, HTTP_ACCEPT="application/json").json()
    assert data["status"] == "cancelled" and data["cancel_url"] is None
    run_render(render.pk)
    render.refresh_from_db()
    assert (render.status, render.cancelled_by, render.file.name) == ("cancelled", analyst, "")
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 409


# PDF ---------------------------------------------------------------------------------


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font the PDF's pages use -> whether its program is embedded (pdffonts' "emb")."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        page_fonts = resources.get_object().get("/Font") if resources is not None else None
        for reference in (page_fonts.get_object() if page_fonts is not None else {}).values():
            font = reference.get_object()
            described = font
            if font.get("/Subtype") == "/Type0":
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


@pytest.mark.pdf
def test_pdf_embeds_the_korean_font():
    pdf = render_pdf(analyse(report_data(waves=synthetic_waves())))
    assert pdf.startswith(b"%PDF")
    fonts = embedded_fonts(pdf)
    assert fonts and all("Nanum" in name for name in fonts), fonts
    assert all(fonts.values()), fonts


@pytest.mark.pdf
def test_the_running_header_prints_the_title_as_written():
    data = dataclasses.replace(
        report_data(waves=synthetic_waves()), title='서울시 공론화 2021-2022 "시민" \\ (안)'
    )
    pages = PdfReader(io.BytesIO(render_pdf(analyse(data)))).pages
    assert len(pages) > 1
    header = pages[1].extract_text()
    assert '서울시 공론화 2021-2022 "시민" \\ (안)' in header
    assert "u002D" not in header and "u0022" not in header


# Command -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt,magic", [("json", b"{"), ("xlsx", b"PK"), ("html", b"<!DOCTYPE")])
def test_command_writes_each_format(deliberation_with_panel, tmp_path, fmt, magic):
    out = tmp_path / f"report.{fmt}"
    call_command(
        "deliberation_report",
        deliberation_with_panel.slug,
        format=fmt,
        out=str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(magic)


def test_command_refuses_an_unknown_deliberation(db, tmp_path):
    out = tmp_path / "r.json"
    with pytest.raises(CommandError, match="no deliberation"):
        call_command("deliberation_report", "nope", format="json", out=str(out))
    assert not out.exists()
