"""The report's opinion-map section: each session's kept map, its groups by region, gender
and age, their representative and the consensus statements, and the change between
sessions, on the page, in the PDF, the JSON and the workbook."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from deliberation.core.roles import Role
from deliberation.forum.models import Room, Session
from deliberation.forum.selectors import group_room, latest_opinion_map, plenary_room
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from deliberation.report.document import report_context
from deliberation.report.pdf import render_pdf
from deliberation.report.selectors import build_report_data
from deliberation.report.workbook import render_xlsx
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    SessionFactory,
    UserFactory,
    join,
)
from tests.opinion_fixtures import camps_room

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two_sessions():
    """A regional group and then the plenary, the same twenty panelists voting in both."""
    deliberation = DeliberationFactory()
    regional = SessionFactory(deliberation=deliberation, kind=Session.Kind.REGIONAL_FORUM)
    group = ForumGroupFactory(session=regional)
    room = group_room(group)
    Room.objects.filter(pk=room.pk).update(statements_enabled=True)
    panelists = camps_room(room)
    plenary = SessionFactory(
        deliberation=deliberation,
        kind=Session.Kind.PLENARY,
        starts_at=regional.starts_at + datetime.timedelta(days=7),
    )
    camps_room(plenary_room(plenary), panelists=panelists)
    return deliberation, room, plenary_room(plenary), panelists


def test_the_report_reads_each_rooms_kept_map_in_session_order(two_sessions):
    deliberation, regional_room, plenary, _ = two_sessions

    maps = build_report_data(deliberation).opinion_maps

    assert [m.session_kind for m in maps] == ["regional_forum", "plenary"]
    assert maps[1].result == latest_opinion_map(plenary).result
    assert maps[1].seed == plenary.opinion_seed


def test_groups_are_composed_by_the_panels_strata(two_sessions):
    deliberation, *_ = two_sessions

    plenary = analyse(build_report_data(deliberation)).opinion_maps.maps[1][1]

    assert len(plenary.groups) == 2
    regions = sorted(tuple(g.composition["region"]) for g in plenary.groups)
    assert regions == sorted([("동남권",), ("도심권",)])
    for g in plenary.groups:
        assert sum(g.composition["gender"].values()) == g.size
        assert sum(g.composition["age_band"].values()) == g.size
        assert g.representative and all(s.text for s in g.representative)


def test_consensus_holds_the_statement_everyone_agrees_with(two_sessions):
    deliberation, *_ = two_sessions

    plenary = analyse(build_report_data(deliberation)).opinion_maps.maps[1][1]

    assert ("모두 분리배출을 지키자", "agree") in {(s.text, s.side) for s in plenary.consensus}


def test_the_change_between_sessions_follows_the_participants_in_both(two_sessions):
    deliberation, *_ = two_sessions

    change = analyse(build_report_data(deliberation)).opinion_maps.changes[0]

    assert (change.groups_before, change.groups_after) == (2, 2)
    assert change.common_participants == 20
    assert change.same_group_share == 1.0
    assert sum(n for _, _, n in change.crossing) == 20
    assert len([n for a, b, n in change.crossing if a is not None]) == 2
    assert change.common_statements == 9 and change.consensus_changed == 0


def test_the_json_gives_the_maps_without_who_anyone_is(two_sessions):
    deliberation, _, _, panelists = two_sessions

    document = analysis_document(analyse(build_report_data(deliberation)))
    maps = document["opinion_maps"]

    assert [len(m["groups"]) for m in maps["maps"]] == [2, 2]
    assert maps["changes"][0]["common_participants"] == 20
    text = str(document["opinion_maps"])
    assert all(p.pseudonym not in text and p.user.username not in text for p in panelists)


def test_the_workbook_has_the_groups_statements_and_change(two_sessions):
    deliberation, *_ = two_sessions

    book = load_workbook(io.BytesIO(render_xlsx(analyse(build_report_data(deliberation)))))

    groups = list(book["Opinion groups"].values)
    assert groups[0][:3] == ("map", "seed", "participants")
    assert {row[8] for row in groups[1:] if row[7] == "region"} == {"도심권", "동남권"}
    statements = list(book["Opinion statements"].values)
    assert any(row[1] == "consensus" and row[4] == "모두 분리배출을 지키자" for row in statements)
    assert len(list(book["Opinion map change"].values)) > 1


def test_the_page_shows_the_map_as_an_svg_with_its_tables(client, two_sessions):
    deliberation, *_ = two_sessions
    analyst = UserFactory(role=Role.ANALYST)
    join(analyst, deliberation, Role.ANALYST)
    client.force_login(analyst)

    html = client.get(reverse("report:page", args=[deliberation.slug]), **ENGLISH).content.decode()

    assert "6. Opinion map" in html
    assert 'aria-labelledby="r-map-2-caption"' in html
    assert "Group A: representative statements" in html
    assert "How the map changed between sessions" in html
    assert "모두 분리배출을 지키자" in html


def test_a_report_without_maps_says_so():
    context = report_context(analyse(build_report_data(DeliberationFactory())))

    assert context["opinion_maps"] is None


@pytest.mark.pdf
def test_the_pdf_prints_the_opinion_map(two_sessions):
    deliberation, *_ = two_sessions

    pdf = render_pdf(analyse(build_report_data(deliberation)))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    assert "모두 분리배출을 지키자" in text
