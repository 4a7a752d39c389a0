"""Home pages per role, the organizer's stage view, language and demo marking."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deliberation.core.models import Stage
from deliberation.core.roles import Role
from panels.models import Panelist
from surveys.models import Response, Wave
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    PanelistFactory,
    StageFactory,
    UserFactory,
)
from tests.surveys.factories import QuestionnaireFactory, WaveFactory

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page(client: Client, url: str, **extra) -> str:
    response = client.get(url, **{**ENGLISH, **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_organizer_home_shows_each_stage_and_its_status(client, organizer):
    stage = StageFactory(kind=Stage.Kind.POLL, status=Stage.Status.ACTIVE)
    client.force_login(organizer)
    html = page(client, reverse("deliberation:home"))
    assert stage.deliberation.title in html
    assert "Opinion poll" in html
    assert "In progress" in html


def test_an_organizer_with_no_deliberation_is_offered_to_create_one(client, organizer):
    client.force_login(organizer)
    html = page(client, reverse("deliberation:home"))
    assert "No deliberation yet." in html
    assert f'href="{reverse("deliberation:create")}"' in html


def test_an_analyst_home_offers_no_new_deliberation(client, analyst):
    client.force_login(analyst)
    html = page(client, reverse("deliberation:home"))
    assert f'href="{reverse("deliberation:create")}"' not in html


def test_panelist_home_shows_own_sessions_and_not_other_groups(client, panelist):
    own = ForumGroupFactory(members=[panelist], name="07조")
    other = ForumGroupFactory(members=[UserFactory(role=Role.PANELIST)], name="99조")
    PanelistFactory(user=panelist, deliberation=own.session.deliberation)
    client.force_login(panelist)
    html = page(client, reverse("deliberation:home"))
    assert own.session.title in html and "07조" in html
    assert other.session.title not in html and "99조" not in html


def test_facilitator_home_lists_only_assigned_groups(client, facilitator):
    mine = ForumGroupFactory(facilitator=facilitator, name="03조")
    ForumGroupFactory(facilitator=UserFactory(role=Role.FACILITATOR), name="04조")
    client.force_login(facilitator)
    html = page(client, reverse("deliberation:home"))
    assert "03조" in html and mine.session.title in html
    assert "04조" not in html


def test_home_page_does_not_show_other_users_e_mail(client, panelist):
    stranger = UserFactory(role=Role.PANELIST, email="stranger@example.org")
    ForumGroupFactory(members=[panelist, stranger])
    client.force_login(panelist)
    assert "stranger@example.org" not in page(client, reverse("deliberation:home"))


def test_korean_is_the_default_language(client, organizer):
    client.force_login(organizer)
    html = client.get(reverse("deliberation:home")).content.decode()
    assert '<html lang="ko">' in html


def test_the_language_switch_turns_pages_english(client, organizer):
    client.force_login(organizer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("deliberation:home")).content.decode()
    assert '<html lang="en">' in html
    assert "My home" in html


def test_home_marks_a_demo_deliberation_in_its_list(client, organizer):
    DeliberationFactory(is_demo=True)
    client.force_login(organizer)
    assert 'class="badge badge-demo"' in page(client, reverse("deliberation:home"))


def test_organizer_updates_a_stage(client, organizer):
    stage = StageFactory(status=Stage.Status.PLANNED)
    client.force_login(organizer)
    url = reverse("deliberation:stage_edit", args=[stage.deliberation.slug, stage.pk])
    response = client.post(
        url, {"status": "active", "starts_on": "2021-08-02", "ends_on": "2021-08-20", "note": ""}
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.status == Stage.Status.ACTIVE


def test_stage_dates_in_the_wrong_order_are_refused_next_to_the_field(client, organizer):
    stage = StageFactory(status=Stage.Status.PLANNED)
    client.force_login(organizer)
    url = reverse("deliberation:stage_edit", args=[stage.deliberation.slug, stage.pk])
    response = client.post(
        url,
        {"status": "done", "starts_on": "2021-08-20", "ends_on": "2021-08-02", "note": ""},
        **ENGLISH,
    )
    assert response.status_code == 200
    assert 'id="id_ends_on_error"' in response.content.decode()
    stage.refresh_from_db()
    assert stage.status == Stage.Status.PLANNED


def test_analyst_cannot_update_a_stage(client, analyst):
    stage = StageFactory(status=Stage.Status.PLANNED)
    client.force_login(analyst)
    url = reverse("deliberation:stage_edit", args=[stage.deliberation.slug, stage.pk])
    response = client.post(url, {"status": "done", "note": ""})
    assert response.status_code == 403
    stage.refresh_from_db()
    assert stage.status == Stage.Status.PLANNED


@pytest.mark.django_db
def test_forms_refuse_a_post_without_csrf_token(organizer):
    stage = StageFactory(status=Stage.Status.PLANNED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    url = reverse("deliberation:stage_edit", args=[stage.deliberation.slug, stage.pk])
    response = client.post(url, {"status": "done", "note": ""})
    assert response.status_code == 403
    stage.refresh_from_db()
    assert stage.status == Stage.Status.PLANNED


def test_deliberation_list_makes_a_constant_number_of_queries(
    client, organizer, django_assert_max_num_queries
):
    for _ in range(5):
        StageFactory()
    client.force_login(organizer)
    with django_assert_max_num_queries(12):
        client.get(reverse("deliberation:home"))
    for _ in range(10):
        StageFactory()
    with django_assert_max_num_queries(12):
        client.get(reverse("deliberation:home"))


def panel_waves_for(panelist, deliberation) -> dict[str, object]:
    """One panel wave in each state for the panelist, and a poll they never see."""
    now = timezone.now()
    seat = PanelistFactory(user=panelist, deliberation=deliberation)
    questionnaire = QuestionnaireFactory(deliberation=deliberation)
    waves = {
        "open": WaveFactory(
            questionnaire=questionnaire,
            kind=Wave.Kind.PRE,
            title="사전 조사",
            closes_at=now + datetime.timedelta(days=2),
        ),
        "completed": WaveFactory(
            questionnaire=questionnaire, kind=Wave.Kind.MID, title="중간 조사"
        ),
        "past": WaveFactory(
            questionnaire=questionnaire,
            kind=Wave.Kind.POST,
            title="사후 조사",
            closes_at=now - datetime.timedelta(days=1),
        ),
        "not_open": WaveFactory(
            questionnaire=questionnaire, kind=Wave.Kind.POST, title="닫힌 조사", is_open=False
        ),
        "future": WaveFactory(
            questionnaire=questionnaire,
            kind=Wave.Kind.POST,
            title="추후 조사",
            opens_at=now + datetime.timedelta(days=7),
        ),
        "poll": WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.POLL, title="여론조사"),
    }
    Response.objects.create(
        wave=waves["completed"],
        panelist=seat,
        respondent_id=seat.pseudonym,
        status=Response.Status.COMPLETE,
    )
    return waves


def test_panelist_home_lists_each_panel_wave_with_its_state_for_them(client, panelist):
    waves = panel_waves_for(panelist, DeliberationFactory())
    client.force_login(panelist)
    html = page(client, reverse("deliberation:home"))
    items = {
        line.split("</li>")[0] for line in html.split("<li>") if "조사" in line.split("</li>")[0]
    }

    def item(title: str) -> str:
        (found,) = [i for i in items if title in i]
        return found

    open_link = reverse("surveys:panel_take", args=[waves["open"].pk])
    assert f'href="{open_link}"' in item("사전 조사") and ">Open<" in item("사전 조사")
    assert ">Completed<" in item("중간 조사") and "href" not in item("중간 조사")
    assert ">Closed<" in item("사후 조사") and ">Closed<" in item("닫힌 조사")
    assert ">Not yet open<" in item("추후 조사") and "opens " in item("추후 조사")
    assert "여론조사" not in html


def test_panelist_home_lists_no_wave_of_a_deliberation_where_their_seat_was_declined(
    client, panelist
):
    deliberation = DeliberationFactory()
    panel_waves_for(panelist, deliberation)
    Panelist.objects.filter(user=panelist).update(status=Panelist.Status.DECLINED)
    client.force_login(panelist)
    assert "사전 조사" not in page(client, reverse("deliberation:home"))


def test_panelist_home_costs_the_same_queries_however_many_waves(
    client, panelist, django_assert_max_num_queries
):
    panel_waves_for(panelist, DeliberationFactory())
    client.force_login(panelist)
    with CaptureQueriesContext(connection) as first:
        page(client, reverse("deliberation:home"))
    for _ in range(3):
        panel_waves_for(panelist, DeliberationFactory())
    with django_assert_max_num_queries(len(first)):
        page(client, reverse("deliberation:home"))
