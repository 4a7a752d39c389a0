"""Pages of the live forum: who may open which room, allocation, materials, exports."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deliberation.core.roles import Role
from deliberation.forum import actions
from deliberation.forum.models import ForumGroup, Material, Room, Session
from deliberation.forum.selectors import group_room
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    PanelistFactory,
    SessionFactory,
    UserFactory,
)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def group(db):
    facilitator = UserFactory(role=Role.FACILITATOR)
    seat = PanelistFactory()
    session = SessionFactory(deliberation=seat.deliberation)
    return ForumGroupFactory(session=session, facilitator=facilitator, members=[seat.user])


def test_member_opens_their_group_room_with_its_websocket_address(client, group):
    client.force_login(group.members.get())
    response = client.get(reverse("forum:group_room", args=[group.pk]), **EN)
    assert response.status_code == 200
    room = Room.objects.get(group=group)
    assert f'data-ws-path="/ws/rooms/{room.pk}/"' in response.content.decode()
    assert 'aria-live="polite"' in response.content.decode()


def test_room_pages_only_read(client, group):
    plenary = SessionFactory(deliberation=group.session.deliberation, kind=Session.Kind.PLENARY)
    pages = [
        (group.members.get(), reverse("forum:group_room", args=[group.pk])),
        (group.facilitator, reverse("forum:group_console", args=[group.pk])),
        (group.members.get(), reverse("forum:plenary", args=[plenary.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            and "django_session" not in q["sql"]
        ]
        assert writes == [], url


def test_allocation_opens_a_room_for_the_session_and_each_group_it_creates(db):
    seat = PanelistFactory()
    session = Session.objects.create(
        deliberation=seat.deliberation,
        kind=Session.Kind.REGIONAL_FORUM,
        title="권역별 시민토론회",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=2),
    )
    groups = actions.do_allocate_groups(session, actor=None, group_count=3)
    assert Room.objects.filter(session=session, group__isnull=True).count() == 1
    assert {room.group_id for room in Room.objects.filter(group__isnull=False)} == {
        g.pk for g in groups
    }
    assert actions.do_open_rooms(session) == 0


def test_panelist_of_another_group_cannot_open_the_room(client, group):
    outsider = ForumGroupFactory(session=group.session, members=[UserFactory(role=Role.PANELIST)])
    client.force_login(outsider.members.get())
    assert client.get(reverse("forum:group_room", args=[group.pk])).status_code == 403


def test_only_the_groups_own_facilitator_opens_its_console(client, group):
    client.force_login(group.facilitator)
    assert client.get(reverse("forum:group_console", args=[group.pk])).status_code == 200
    client.force_login(UserFactory(role=Role.FACILITATOR))
    assert client.get(reverse("forum:group_console", args=[group.pk])).status_code == 403
    client.force_login(group.members.get())
    assert client.get(reverse("forum:group_console", args=[group.pk])).status_code == 403


def test_panel_member_opens_the_plenary_and_the_page_has_the_question_form(client, group):
    plenary = SessionFactory(deliberation=group.session.deliberation, kind=Session.Kind.PLENARY)
    client.force_login(group.members.get())
    response = client.get(reverse("forum:plenary", args=[plenary.pk]), **EN)
    assert response.status_code == 200
    assert 'id="question-form"' in response.content.decode()


def test_panelist_of_another_deliberation_cannot_open_the_plenary(client, group):
    plenary = SessionFactory(deliberation=group.session.deliberation, kind=Session.Kind.PLENARY)
    client.force_login(PanelistFactory().user)
    assert client.get(reverse("forum:plenary", args=[plenary.pk])).status_code == 403


def test_home_links_each_user_to_their_rooms(client, group):
    client.force_login(group.members.get())
    page = client.get(reverse("deliberation:home"), **EN).content.decode()
    assert reverse("forum:group_room", args=[group.pk]) in page
    client.force_login(group.facilitator)
    page = client.get(reverse("deliberation:home"), **EN).content.decode()
    assert reverse("forum:group_console", args=[group.pk]) in page


def test_room_page_escapes_material_text(client, group):
    Material.objects.create(session=group.session, title="<script>x</script>", body="b")
    client.force_login(group.members.get())
    page = client.get(reverse("forum:group_room", args=[group.pk])).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


# Allocation ------------------------------------------------------------------------------


@pytest.fixture
def panel(db):
    deliberation = DeliberationFactory()
    regions = ["도심권", "동북권", "서북권", "서남권", "동남권"]
    for i in range(40):
        PanelistFactory(
            deliberation=deliberation,
            region=regions[i % 5],
            gender="남성" if i < 20 else "여성",
            age_band=["18-29", "30-39", "40-49", "50-59"][i // 10],
        )
    return deliberation


def test_allocation_creates_groups_and_mixes_genders_in_each(client, organizer, panel):
    session = SessionFactory(deliberation=panel)
    client.force_login(organizer)
    response = client.post(
        reverse("forum:allocation", args=[session.pk]),
        {"action": "allocate", "group_count": 4, "seed": 0},
    )
    assert response.status_code == 302
    groups = ForumGroup.objects.filter(session=session)
    assert groups.count() == 4
    for group in groups:
        genders = set(group.members.values_list("panel_seats__gender", flat=True))
        assert group.members.count() == 10 and genders == {"남성", "여성"}


def test_organizer_moves_a_panelist_to_another_group(client, organizer, panel):
    session = SessionFactory(deliberation=panel)
    first, second = actions.do_allocate_groups(session, actor=organizer, group_count=2)
    member = first.members.first()
    client.force_login(organizer)
    client.post(
        reverse("forum:allocation", args=[session.pk]),
        {"action": "move", "user_id": member.pk, "group_id": second.pk},
    )
    assert second.members.filter(pk=member.pk).exists()
    assert not first.members.filter(pk=member.pk).exists()


def test_allocation_page_shows_each_groups_composition(client, organizer, panel):
    session = SessionFactory(deliberation=panel)
    actions.do_allocate_groups(session, actor=organizer, group_count=2)
    client.force_login(organizer)
    page = client.get(reverse("forum:allocation", args=[session.pk]), **EN)
    assert page.status_code == 200 and "Men 10" in page.content.decode()


def test_material_needs_text_link_or_file(client, organizer, group):
    client.force_login(organizer)
    url = reverse("forum:materials", args=[group.session.pk])
    client.post(url, {"title": "empty", "order": 0})
    assert not Material.objects.exists()
    client.post(url, {"title": "자료집", "body": "소각장 현황", "order": 0})
    assert Material.objects.get().title == "자료집"


# Exports ----------------------------------------------------------------------------------


def test_transcript_export_uses_pseudonyms_never_names_or_emails(client, analyst, group):
    member = group.members.get()
    room = group_room(group)
    actions.do_post_message(room.pk, member, "분리배출이 중요합니다")
    actions.do_post_message(room.pk, group.facilitator, "감사합니다")
    client.force_login(analyst)
    body = client.get(
        reverse("forum:export", args=[group.session.pk, "transcript", "csv"])
    ).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    pseudonym = member.panel_seats.get().pseudonym
    assert [r["author"] for r in rows] == [pseudonym, f"facilitator-{group.facilitator.pk}"]
    assert member.email not in body and member.username not in body


def test_synthesis_export_lists_recommendations_with_support(client, analyst, group):
    room = group_room(group)
    actions.do_add_recommendation(room.pk, group.facilitator, "재활용 확대")
    recommendation = room.recommendations.get()
    actions.do_support_recommendation(room.pk, group.members.get(), recommendation.pk, True)
    client.force_login(analyst)
    rows = json.loads(
        client.get(reverse("forum:export", args=[group.session.pk, "synthesis", "json"])).content
    )
    assert rows[0]["text"] == "재활용 확대" and rows[0]["supporters"] == 1
    assert rows[0]["members"] == 1


def test_unknown_export_dataset_is_404(client, analyst, group):
    client.force_login(analyst)
    url = reverse("forum:export", args=[group.session.pk, "passwords", "csv"])
    assert client.get(url).status_code == 404
