"""The recruitment funnel: its counts read from the database, by stratum, in a fixed number
of queries, and shown on the report's page and in its JSON, XLSX and PDF."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from deliberation.forum.models import Attendance, Room
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.data import ReportData
from deliberation.report.pdf import render_pdf
from deliberation.report.selectors import build_report_data, funnel_steps
from deliberation.report.workbook import render_xlsx
from panels.funnel import FunnelStep, funnel_table
from panels.models import Panelist, Volunteer
from surveys.models import OpinionStratum, Question, Response, Wave
from tests.factories import DeliberationFactory, PanelistFactory, SessionFactory, UserFactory
from tests.surveys.factories import WaveFactory, complete_response, question

YES, NO = "찬성", "반대"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def build_funnel(deliberation, *, poll=6, volunteers=5, seats=4):
    """A poll of ``poll`` (two answer the opinion question "찬성", one "반대"), ``volunteers``
    in the pool, ``seats`` drawn (two confirmed, one dropped out, the rest declined), one
    session two seats came to, and one panel wave three seats completed."""
    wave = WaveFactory(questionnaire__deliberation=deliberation, label="poll")
    q = question(
        wave.questionnaire, "OP", Question.Kind.SINGLE, 1, options=((1, YES, False), (2, NO, False))
    )
    for i in range(poll):
        answers = {"OP": 1.0 if i < 2 else 2.0} if i < 3 else {}
        complete_response(
            wave,
            f"R{i}",
            answers,
            region="도심권",
            gender="여성" if i % 2 else "남성",
            age_band="30-39",
        )
    Response.objects.create(wave=wave, respondent_id="started", region="도심권")  # in progress
    OpinionStratum.objects.create(deliberation=deliberation, question=q, wave=wave)
    pool = [
        Volunteer.objects.create(
            deliberation=deliberation,
            external_id=f"V{i}",
            record_id=f"r{i}",
            source=Volunteer.Source.POLL,
            features={
                "region": "도심권",
                "gender": "여성",
                "age_band": "30-39",
                "opinion": YES if i % 2 == 0 else NO,
            },
        )
        for i in range(volunteers)
    ]
    statuses = [Panelist.Status.CONFIRMED, Panelist.Status.CONFIRMED, Panelist.Status.DROPPED]
    panelists = [
        PanelistFactory(
            deliberation=deliberation,
            volunteer=pool[i],
            status=statuses[i] if i < len(statuses) else Panelist.Status.DECLINED,
        )
        for i in range(seats)
    ]
    session = SessionFactory(deliberation=deliberation, title="1차 토론회")
    room = Room.objects.filter(session=session).first()
    now = timezone.now()
    for user in [panelists[0].user, panelists[0].user, panelists[2].user, UserFactory()]:
        Attendance.objects.create(
            room=room,
            user=user,
            channel_name="c",
            joined_at=now,
            last_seen_at=now + datetime.timedelta(minutes=30),
        )
    pre = WaveFactory(
        questionnaire__deliberation=deliberation,
        kind=Wave.Kind.PRE,
        label="pre",
        title="사전 조사",
    )
    for p in panelists[:3]:
        complete_response(pre, p.pseudonym, {}, panelist=p)
    Response.objects.create(wave=pre, respondent_id=panelists[3].pseudonym, panelist=panelists[3])
    return session, pre


@pytest.fixture
def deliberation(db):
    return DeliberationFactory()


def test_the_funnel_counts(deliberation):
    session, pre = build_funnel(deliberation)
    steps = funnel_steps(deliberation)
    assert [s.key for s in steps] == [
        "poll",
        "volunteers",
        "drawn",
        "confirmed",
        f"session:{session.pk}",
        f"wave:{pre.pk}",
    ]
    assert [s.total for s in steps] == [6, 5, 4, 3, 2, 3]
    assert [s.label for s in steps][-2:] == ["1차 토론회", "사전 조사"]
    poll, volunteers, drawn, confirmed, attended, completed = steps
    assert poll.by_stratum["gender"] == {"남성": 3, "여성": 3}
    # The poll's opinion is each respondent's answer; "no answer" is its own category.
    assert poll.by_stratum["opinion"] == {YES: 2, NO: 1, OpinionStratum.NO_ANSWER: 3}
    assert volunteers.by_stratum["opinion"] == {YES: 3, NO: 2}
    # Seats carry their volunteer's opinion through every later step.
    assert drawn.by_stratum["opinion"] == {YES: 2, NO: 2}
    assert confirmed.by_stratum["opinion"] == {YES: 2, NO: 1}
    assert attended.by_stratum["opinion"] == {YES: 2}  # seats 0 and 2; the outsider not
    assert completed.by_stratum["opinion"] == {YES: 2, NO: 1}


def test_sessions_and_waves_are_steps_in_the_order_they_took_place(deliberation):
    session, pre = build_funnel(deliberation)
    Wave.objects.filter(pk=pre.pk).update(opens_at=session.starts_at - datetime.timedelta(days=7))
    post = WaveFactory(
        questionnaire__deliberation=deliberation,
        kind=Wave.Kind.POST,
        label="post",
        opens_at=session.ends_at,
    )
    complete_response(post, "P-post", {}, panelist=Panelist.objects.order_by("pk").first())
    steps = funnel_steps(deliberation)
    assert [s.key for s in steps][4:] == [
        f"wave:{pre.pk}",
        f"session:{session.pk}",
        f"wave:{post.pk}",
    ]
    rows = funnel_table(steps).rows
    # The session's retention is from the wave answered before it.
    assert rows[5].from_previous == pytest.approx(2 / 3)


def test_the_funnel_table_from_the_counts(deliberation):
    build_funnel(deliberation)
    table = funnel_table(funnel_steps(deliberation))
    assert [r.count for r in table.rows] == [6, 5, 4, 3, 2, 3]
    assert table.rows[3].from_previous == pytest.approx(3 / 4)
    assert table.rows[5].from_first == pytest.approx(3 / 6)
    no = table.strata["opinion"][NO]
    assert [r.count for r in no] == [1, 2, 2, 1, 0, 1]
    assert no[1].from_previous == pytest.approx(2.0)


def test_the_funnel_reads_its_counts_in_a_fixed_number_of_queries(
    deliberation, django_assert_max_num_queries
):
    build_funnel(deliberation, poll=3, volunteers=4, seats=4)
    with django_assert_max_num_queries(14) as small:
        funnel_steps(deliberation)
    other = DeliberationFactory()
    build_funnel(other, poll=40, volunteers=30, seats=20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        steps = funnel_steps(other)
    assert steps[2].total == 20


def test_a_deliberation_with_nothing_yet_has_an_empty_funnel(deliberation):
    steps = funnel_steps(deliberation)
    assert [s.total for s in steps] == [0, 0, 0]
    analysis = analyse(build_report_data(deliberation))
    assert [r.count for r in analysis.funnel.rows] == [0, 0, 0]


# Shown on the page and in every export ------------------------------------------------

SHIN_KORI = [
    FunnelStep("poll", "", 20006, {"gender": {"남성": 10000, "여성": 10006}}),
    FunnelStep("volunteers", "", 5981, {"gender": {"남성": 3000, "여성": 2981}}),
    FunnelStep("drawn", "", 500, {"gender": {"남성": 250, "여성": 250}}),
    FunnelStep("confirmed", "", 478, {"gender": {"남성": 240, "여성": 238}}),
    FunnelStep("session:1", "종합토론회", 471, {"gender": {"남성": 236, "여성": 235}}),
]


def shin_kori_report() -> ReportData:
    return ReportData(
        slug="shin-kori",
        title="신고리 5·6호기 공론화",
        agenda="건설 재개",
        city="울산",
        is_demo=True,
        generated_at=timezone.now(),
        funnel=tuple(SHIN_KORI),
    )


def test_the_report_page_shows_the_funnel_chart_and_tables(client, analyst, deliberation):
    build_funnel(deliberation)
    client.force_login(analyst)
    html = client.get(reverse("report:page", args=[deliberation.slug]), **ENGLISH).content.decode()
    section = html[html.index('id="r-funnel"') :]
    assert 'aria-label="Recruitment funnel"' in section  # the chart's accessible name
    assert '<th scope="row">Poll respondents</th><td class="num">6</td>' in section
    assert (
        '<th scope="row">Confirmed</th><td class="num">3</td><td class="num">75.0%</td>' in section
    )
    assert "Recruitment funnel by Prior opinion" in section
    with translation.override("ko"):
        korean = client.get(reverse("report:page", args=[deliberation.slug])).content.decode()
    assert 'id="r-funnel"' in korean


def test_the_json_and_workbook_carry_the_funnel():
    analysis = analyse(shin_kori_report())
    document = analysis_document(analysis)
    steps = document["funnel"]["steps"]
    assert [s["count"] for s in steps] == [20006, 5981, 500, 478, 471]
    assert steps[3]["from_previous"] == pytest.approx(478 / 500)
    assert steps[4]["from_first"] == pytest.approx(471 / 20006)
    assert steps[4]["label"] == "종합토론회"
    (gender,) = document["funnel"]["strata"]
    assert gender["feature"] == "gender"
    women = next(c for c in gender["categories"] if c["category"] == "여성")
    assert [s["count"] for s in women["steps"]] == [10006, 2981, 250, 238, 235]
    sheet = load_workbook(io.BytesIO(render_xlsx(analysis)))["Funnel"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[4:9] == ("step", "step_label", "count", "from_previous", "from_first")
    overall = [r for r in rows if not r[0]]
    assert [r[6] for r in overall] == [20006, 5981, 500, 478, 471]
    (confirmed_women,) = [r for r in rows if r[2] == "여성" and r[4] == "confirmed"]
    assert confirmed_women[0] == "gender" and confirmed_women[6] == 238
    assert confirmed_women[7] == pytest.approx(238 / 250)


@pytest.mark.pdf
def test_the_pdf_prints_the_funnel():
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(render_pdf(analyse(shin_kori_report())))).pages
    )
    assert "20006" in text.replace(",", "")
    assert "95.6%" in text  # 478 of 500 confirmed
