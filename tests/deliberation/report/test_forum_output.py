"""The report carries what the forum produced: recommendations with support, attendance."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from deliberation.core.models import Stage
from deliberation.forum.actions import (
    do_add_recommendation,
    do_join_room,
    do_leave_room,
    do_support_recommendation,
)
from deliberation.forum.models import Session
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.document import report_context
from deliberation.report.selectors import build_report_data
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    PanelistFactory,
    SessionFactory,
    StageFactory,
)


@pytest.fixture
def forum_output(db, organizer):
    """Ten active panelists (one declined); a session of two groups of four and three."""
    deliberation = DeliberationFactory()
    StageFactory(deliberation=deliberation, kind=Stage.Kind.POLL, order=1)
    StageFactory(deliberation=deliberation, kind=Stage.Kind.REGIONAL_FORUMS, order=2)
    panel = [PanelistFactory(deliberation=deliberation).user for _ in range(10)]
    PanelistFactory(deliberation=deliberation, status="declined")
    session = SessionFactory(deliberation=deliberation, title="권역 토론회")
    first = ForumGroupFactory(session=session, name="1조", members=panel[:4])
    second = ForumGroupFactory(session=session, name="2조", members=panel[4:7])
    first_room, second_room = first.room, second.room
    event = do_add_recommendation(first_room.pk, organizer, "버스 노선을 재편한다")
    recommendation_id = event.payload["recommendation"]["id"]
    for user in panel[:3]:
        do_support_recommendation(first_room.pk, user, recommendation_id, True)
    do_add_recommendation(second_room.pk, organizer, "심야 버스를 늘린다")
    for user in (*panel[:2], panel[4]):
        room = first_room if user in panel[:4] else second_room
        do_join_room(room.pk, user, f"channel-{user.pk}")
    # Two connections of one person are one attendance.
    do_leave_room(do_join_room(first_room.pk, panel[0], "second-tab").pk)
    return deliberation


def test_report_lists_every_groups_recommendation_with_group_and_panel_support(forum_output):
    rows = build_report_data(forum_output).recommendations
    assert [(r.session, r.group, r.text) for r in rows] == [
        ("권역 토론회", "1조", "버스 노선을 재편한다"),
        ("권역 토론회", "2조", "심야 버스를 늘린다"),
    ]
    first, second = rows
    assert (first.votes, first.group_size, first.support, first.panel_support) == (
        3,
        4,
        0.75,
        0.3,
    )
    assert (second.votes, second.group_size, second.support, second.panel_support) == (
        0,
        3,
        0.0,
        0.0,
    )


def test_report_counts_attendance_per_session_against_the_allocated_panelists(forum_output):
    (row,) = build_report_data(forum_output).process.attendance
    assert (row.session, row.expected, row.attended) == ("권역 토론회", 7, 3)


def test_plenary_attendance_expects_the_whole_active_panel(forum_output, organizer):
    plenary = SessionFactory(deliberation=forum_output, kind=Session.Kind.PLENARY, title="전체")
    user = forum_output.panelists.active().first().user
    do_join_room(plenary.rooms.get().pk, user, "plenary")
    rows = {r.session: r for r in build_report_data(forum_output).process.attendance}
    assert (rows["전체"].expected, rows["전체"].attended) == (10, 1)


def test_report_page_shows_recommendations_and_attendance(client, forum_output, analyst):
    client.force_login(analyst)
    with translation.override("en"):
        page = client.get(
            reverse("report:page", args=[forum_output.slug]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "버스 노선을 재편한다" in page and "심야 버스를 늘린다" in page
    assert "3 / 4" in page and "75%" in page and "30%" in page
    assert "No group recommendations yet" not in page
    assert "No attendance data yet" not in page


def test_json_and_xlsx_carry_recommendations_with_both_supports(client, forum_output, analyst):
    client.force_login(analyst)
    slug = forum_output.slug
    document = json.loads(client.get(reverse("report:analysis_json", args=[slug])).content)
    assert document["recommendations"][0] == {
        "session": "권역 토론회",
        "group": "1조",
        "text": "버스 노선을 재편한다",
        "votes": 3,
        "group_size": 4,
        "support": 0.75,
        "panel_support": 0.3,
    }
    assert document["process"]["attendance"] == [
        {"session": "권역 토론회", "expected": 7, "attended": 3}
    ]
    book = load_workbook(
        io.BytesIO(client.get(reverse("report:analysis_xlsx", args=[slug])).content)
    )
    rows = list(book["Recommendations"].iter_rows(values_only=True))
    assert rows[0] == (
        "session",
        "group",
        "text",
        "votes",
        "group_size",
        "support",
        "panel_support",
    )
    assert rows[1] == ("권역 토론회", "1조", "버스 노선을 재편한다", 3, 4, 0.75, 0.3)


def test_an_empty_section_names_the_stage_that_will_fill_it(forum_output):
    data = build_report_data(forum_output)
    empty = data.empty_sections()
    assert empty["poll"].kind == "poll"
    assert empty["waves"] is None  # this deliberation has no panel survey stage
    assert "recommendations" not in empty and "attendance" not in empty
    assert analysis_document(analyse(data))["empty_sections"]["poll"] == "poll"
    with translation.override("en"):
        context = report_context(analyse(build_report_data(forum_output)))
    assert context["empty"]["poll"].label == "Opinion poll"


def test_report_page_says_which_stage_a_missing_section_waits_for(client, db, analyst):
    deliberation = DeliberationFactory()
    StageFactory(deliberation=deliberation, kind=Stage.Kind.POLL, order=1)
    client.force_login(analyst)
    with translation.override("en"):
        page = client.get(
            reverse("report:page", args=[deliberation.slug]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "No poll results yet. It comes from the stage “Opinion poll” (Planned)." in page
