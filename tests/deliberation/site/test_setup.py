"""An organizer creates, edits and archives a deliberation and shapes its stages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from deliberation.core.access import can_manage
from deliberation.core.models import Deliberation, Stage
from deliberation.core.roles import Role
from deliberation.core.slugs import readable_slug
from tests.factories import DeliberationFactory, StageFactory, UserFactory, join

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def organizer(db):
    return UserFactory(role=Role.ORGANIZER)


def create(client, **fields):
    data = {"title": "버스 노선 개편 공론화", "agenda": "간선버스 노선을 어떻게?", "city": "가상시"}
    return client.post(reverse("deliberation:create"), {**data, **fields}, **ENGLISH)


def test_an_organizer_creates_a_deliberation_and_becomes_its_organizer(client, organizer):
    client.force_login(organizer)
    response = create(client, title_en="Bus route reform", starts_on="2027-03-01")
    deliberation = Deliberation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deliberation:setup", args=[deliberation.slug])
    assert deliberation.title_en == "Bus route reform"
    assert deliberation.starts_on == datetime.date(2027, 3, 1)
    assert can_manage(organizer, deliberation)
    assert list(deliberation.stages.values_list("kind", flat=True)) == Stage.Kind.values


def test_a_korean_title_gives_a_romanized_address(client, organizer):
    client.force_login(organizer)
    create(client)
    assert Deliberation.objects.get().slug == "beoseu-noseon-gaepyeon-gongronhwa"


def test_the_address_comes_from_the_english_title_and_stays_unique(client, organizer):
    DeliberationFactory(slug="bus-route-reform")
    client.force_login(organizer)
    create(client, title_en="Bus route reform")
    assert Deliberation.objects.filter(slug="bus-route-reform-2").exists()


def test_an_address_the_site_uses_is_never_given():
    assert readable_slug("New", taken=lambda slug: False) == "new-2"


def test_a_chosen_address_already_taken_is_refused_and_nothing_is_created(client, organizer):
    DeliberationFactory(slug="busan-bus")
    client.force_login(organizer)
    response = create(client, slug="busan-bus")
    assert response.status_code == 200
    assert "Another deliberation has this address" in response.content.decode()
    assert Deliberation.objects.count() == 1


def test_an_end_before_the_start_is_refused(client, organizer):
    client.force_login(organizer)
    response = create(client, starts_on="2027-03-01", ends_on="2027-02-01")
    assert "The end date is before the start date" in response.content.decode()
    assert not Deliberation.objects.exists()


def test_an_analyst_cannot_create_a_deliberation(client):
    client.force_login(UserFactory(role=Role.ANALYST))
    assert create(client).status_code == 403
    assert not Deliberation.objects.exists()


def test_the_organizer_edits_titles_and_agenda_and_the_address_stays(client, organizer):
    deliberation = DeliberationFactory(slug="kept")
    join(organizer, deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    client.post(
        reverse("deliberation:edit", args=["kept"]),
        {"title": "새 제목", "title_en": "New title", "agenda": "새 의제", "city": "가상시"},
    )
    deliberation.refresh_from_db()
    assert (deliberation.title, deliberation.title_en, deliberation.slug) == (
        "새 제목",
        "New title",
        "kept",
    )
    english = client.get(deliberation.get_absolute_url(), **ENGLISH).content.decode()
    assert "<h1>New title" in english


def test_an_archived_deliberation_can_be_restored(client, organizer):
    deliberation = DeliberationFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    url = reverse("deliberation:archive", args=[deliberation.slug])
    client.post(url, {"archived": "1"})
    deliberation.refresh_from_db()
    assert deliberation.is_archived
    client.post(url, {"archived": "0"})
    deliberation.refresh_from_db()
    assert not deliberation.is_archived


def test_a_stage_status_follows_its_dates_unless_set_by_hand():
    stage = Stage(
        kind=Stage.Kind.POLL,
        order=1,
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 3, 20),
        status=Stage.Status.ACTIVE,
    )
    assert stage.status_on(datetime.date(2027, 2, 28)) == Stage.Status.PLANNED
    assert stage.status_on(datetime.date(2027, 3, 20)) == Stage.Status.ACTIVE
    assert stage.status_on(datetime.date(2027, 3, 21)) == Stage.Status.DONE
    stage.status_by_hand = True
    assert stage.status_on(datetime.date(2027, 3, 21)) == Stage.Status.ACTIVE


def test_a_poll_that_ended_is_done_in_the_report(client, organizer):
    stage = StageFactory(
        kind=Stage.Kind.POLL,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 1, 31),
        status=Stage.Status.ACTIVE,
    )
    join(organizer, stage.deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    data = client.get(reverse("report:analysis_json", args=[stage.deliberation.slug])).json()
    poll = next(s for s in data["process"]["stages"] if s["kind"] == "poll")
    assert poll["status"] == "done"


def test_the_organizer_adds_moves_and_removes_stages(client, organizer):
    deliberation = DeliberationFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    base = reverse("deliberation:detail", args=[deliberation.slug])
    for kind in ("poll", "panel", "plenary"):
        client.post(base + "stages/new/", {"kind": kind})
    kinds = lambda: list(deliberation.stages.values_list("kind", flat=True))  # noqa: E731
    assert kinds() == ["poll", "panel", "plenary"]
    plenary = deliberation.stages.get(kind="plenary")
    client.post(
        reverse("deliberation:stage_move", args=[deliberation.slug, plenary.pk]),
        {"direction": "up"},
    )
    assert kinds() == ["poll", "plenary", "panel"]
    poll = deliberation.stages.get(kind="poll")
    client.post(reverse("deliberation:stage_remove", args=[deliberation.slug, poll.pk]))
    assert kinds() == ["plenary", "panel"]
    assert list(deliberation.stages.values_list("order", flat=True)) == [1, 2]


def test_a_stage_kind_the_deliberation_has_is_not_offered_twice(client, organizer):
    stage = StageFactory(kind=Stage.Kind.POLL)
    join(organizer, stage.deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    response = client.post(
        reverse("deliberation:stage_add", args=[stage.deliberation.slug]), {"kind": "poll"}
    )
    assert response.status_code == 200
    assert stage.deliberation.stages.count() == 1


def test_the_organizer_of_another_deliberation_cannot_remove_a_stage(client, organizer):
    stage = StageFactory()
    join(organizer, DeliberationFactory(), Role.ORGANIZER)
    client.force_login(organizer)
    url = reverse("deliberation:stage_remove", args=[stage.deliberation.slug, stage.pk])
    assert client.post(url).status_code == 403
    assert Stage.objects.filter(pk=stage.pk).exists()


def test_the_setup_page_shows_what_is_done_and_what_is_next(client, organizer):
    from panels.models import PopulationMargin

    deliberation = DeliberationFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    url = reverse("deliberation:setup", args=[deliberation.slug])
    steps = client.get(url, **ENGLISH).context["steps"]
    assert [s.key for s in steps if s.is_next] == ["team"] and not any(s.done for s in steps)
    join(UserFactory(), deliberation, Role.FACILITATOR)
    PopulationMargin.objects.create(
        deliberation=deliberation, feature="gender", value="female", share=0.5
    )
    page = client.get(url, **ENGLISH)
    steps = page.context["steps"]
    assert [s.key for s in steps if s.done] == ["team", "margins"]
    assert [s.key for s in steps if s.is_next] == ["questionnaire"]
    html = page.content.decode()
    assert 'aria-current="step"' in html and "2 of 13 steps done" in html


def test_drawing_by_prior_opinion_is_an_optional_step_never_next(client, organizer):
    deliberation = DeliberationFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    url = reverse("deliberation:setup", args=[deliberation.slug])
    page = client.get(url, **ENGLISH)
    steps = {s.key: s for s in page.context["steps"]}
    assert steps["opinion"].optional and not steps["opinion"].is_next
    assert list(steps).index("opinion") == list(steps).index("quotas") - 1
    html = page.content.decode()
    assert "optional" in html and "0 of 13 steps done" in html
