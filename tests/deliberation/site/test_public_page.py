"""The public page of a deliberation: what visitors read without signing in."""

from __future__ import annotations

import datetime
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from deliberation.core import public_cache
from deliberation.forum.actions import do_add_material
from deliberation.forum.models import Material
from deliberation.report.actions import do_set_publication, do_update_recommendation_status
from tests.deliberation.site.public_fixtures import ALL_PARTS, publish
from tests.factories import DeliberationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def page(client, deliberation, language="ko"):
    client.cookies["django_language"] = language
    return client.get(reverse("deliberation:public_page", args=[deliberation.slug]))


def test_visitor_reads_a_published_deliberation_without_signing_in(client, public):
    response = page(client, public["deliberation"])
    assert response.status_code == 200
    html = response.content.decode()
    assert public["deliberation"].title in html
    assert public["deliberation"].agenda in html
    assert "시민의 의견을 묻습니다." in html


def test_unpublished_deliberation_is_not_found(client, db):
    deliberation = DeliberationFactory()
    assert page(client, deliberation).status_code == 404


def test_unpublishing_hides_the_page_again(client, public, django_capture_on_commit_callbacks):
    assert page(client, public["deliberation"]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        do_set_publication(
            public["deliberation"],
            published=False,
            parts=ALL_PARTS,
            licence="CC-BY-4.0",
            publish_microdata=False,
            actor=public["organizer"],
        )
    assert page(client, public["deliberation"]).status_code == 404


def test_unknown_and_unpublished_deliberations_answer_alike(client, db):
    hidden = DeliberationFactory(is_demo=True)
    unknown = client.get(reverse("deliberation:public_page", args=["no-such-thing"]))
    unpublished = page(client, hidden)
    assert unknown.status_code == unpublished.status_code == 404
    # Not even the demo banner tells that a deliberation lives at this address.
    assert "demo-banner" not in unpublished.content.decode()


def test_page_shows_recommendations_with_support_and_timeline(client, public):
    html = page(client, public["deliberation"], "en").content.decode()
    assert "소각장 부지 선정 과정을 공개한다" in html
    assert "Supported by 2 of 3 members (67%)" in html
    assert "Received" in html and "Accepted" in html
    assert "2026년 예산에 반영합니다." in html
    assert html.index("2026-01-05") < html.index("2026-02-01")


def test_unpublished_part_is_left_out_of_the_page(client, public):
    publish(public["deliberation"], public["organizer"], show_recommendations=False)
    cache.clear()
    html = page(client, public["deliberation"]).content.decode()
    assert "소각장 부지 선정 과정을 공개한다" not in html
    assert reverse("deliberation:public_feed", args=[public["deliberation"].slug]) not in html


def test_page_is_in_english_and_korean(client, public):
    assert "How the panel was drawn" in page(client, public["deliberation"], "en").content.decode()
    with translation.override("ko"):
        korean = page(client, public["deliberation"], "ko").content.decode()
    assert "How the panel was drawn" not in korean


def test_open_graph_metadata_in_the_head(client, public):
    html = page(client, public["deliberation"]).content.decode()
    head = html[: html.index("</head>")]
    assert f'<meta property="og:title" content="{public["deliberation"].title}">' in head
    assert 'property="og:description"' in head
    url = reverse("deliberation:public_page", args=[public["deliberation"].slug])
    assert f'<meta property="og:url" content="http://testserver{url}">' in head


def test_open_graph_image_is_served_at_its_declared_size(client, public):
    """Open Graph requires og:image; cards draw it uncropped only at the declared size."""
    head = page(client, public["deliberation"], "en").content.decode().split("</head>")[0]
    src = re.search(r'<meta property="og:image" content="([^"]+)">', head).group(1)
    assert src.startswith("http://testserver/")
    width = re.search(r'og:image:width" content="(\d+)"', head).group(1)
    height = re.search(r'og:image:height" content="(\d+)"', head).group(1)
    assert 'og:image:alt" content="Gongnon: citizens deliberate and recommend"' in head
    path = finders.find(src.split("/static/", 1)[1])
    with open(path, "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (int(width), int(height))


def test_repeat_visit_reads_no_table(client, public, django_assert_num_queries):
    page(client, public["deliberation"])
    with django_assert_num_queries(0):
        assert page(client, public["deliberation"]).status_code == 200


def test_status_change_refreshes_the_cached_page(
    client, public, django_capture_on_commit_callbacks
):
    page(client, public["deliberation"], "en")
    with django_capture_on_commit_callbacks(execute=True):
        do_update_recommendation_status(
            public["deliberation"],
            public["recommendations"][1].pk,
            status="under_review",
            response="검토 중입니다.",
            department="기후환경본부",
            responded_on=datetime.date(2026, 3, 1),
            actor=public["organizer"],
        )
    assert "검토 중입니다." in page(client, public["deliberation"], "en").content.decode()


def test_draw_shows_verification_command_when_drawn(client, public):
    html = page(client, public["deliberation"], "en").content.decode()
    assert "The panel has not been drawn yet." in html
    assert "The citizen panel has 3 members." in html


def test_front_page_lists_published_deliberations_for_visitors(client, public, db):
    hidden = DeliberationFactory(title="비공개 공론화")
    html = client.get(reverse("deliberation:home")).content.decode()
    assert public["deliberation"].title in html
    assert reverse("deliberation:public_page", args=[public["deliberation"].slug]) in html
    assert hidden.title not in html


def test_signed_in_users_keep_their_home(client, public):
    client.force_login(public["organizer"])
    html = client.get(reverse("deliberation:home")).content.decode()
    assert "Published deliberations" not in html and "공개된 공론화" not in html


def test_a_rendering_stored_after_a_change_is_never_served(
    client, public, django_capture_on_commit_callbacks
):
    slug = public["deliberation"].slug
    started_before = public_cache.page_key(slug, "en")
    with django_capture_on_commit_callbacks(execute=True):
        publish(public["deliberation"], public["organizer"], show_sessions=False)
    cache.set(started_before, {"title": "t", "head": "", "body": "STALE", "is_demo": False})
    assert "STALE" not in page(client, public["deliberation"], "en").content.decode()


def test_shared_caches_may_not_keep_the_page_but_may_keep_its_files(client, public):
    assert "private" in page(client, public["deliberation"])["Cache-Control"]
    slug = public["deliberation"].slug
    feed = client.get(reverse("deliberation:public_feed", args=[slug]))
    assert "public" in feed["Cache-Control"]


def test_a_material_marked_public_appears_at_once(
    client, public, django_capture_on_commit_callbacks
):
    session = public["group"].session
    page(client, public["deliberation"], "en")
    with django_capture_on_commit_callbacks(execute=True):
        do_add_material(
            session, actor=public["organizer"], title="소각 시설 설명서", body="본문", public=True
        )
    assert "소각 시설 설명서" in page(client, public["deliberation"], "en").content.decode()


def test_a_material_edited_outside_the_actions_refreshes_the_page(
    client, public, django_capture_on_commit_callbacks
):
    """The admin saves materials itself: the page follows the model, not only the action."""
    material = Material.objects.create(
        session=public["group"].session, title="전문가 초안", body="초안", public=False
    )
    assert "전문가 초안" not in page(client, public["deliberation"], "en").content.decode()
    material.public = True
    with django_capture_on_commit_callbacks(execute=True):
        material.save()
    assert "전문가 초안" in page(client, public["deliberation"], "en").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        material.delete()
    assert "전문가 초안" not in page(client, public["deliberation"], "en").content.decode()


def test_a_stage_moved_to_new_dates_refreshes_the_page(
    client, public, django_capture_on_commit_callbacks
):
    stage = public["deliberation"].stages.get()
    page(client, public["deliberation"], "en")
    stage.starts_on, stage.ends_on = datetime.date(2027, 3, 2), datetime.date(2027, 3, 9)
    with django_capture_on_commit_callbacks(execute=True):
        stage.save()
    assert "2027-03-02" in page(client, public["deliberation"], "en").content.decode()


def test_a_change_that_rolls_back_keeps_the_cached_page(
    client, public, django_assert_num_queries, django_capture_on_commit_callbacks
):
    page(client, public["deliberation"], "en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            Material.objects.create(session=public["group"].session, title="없던 일", body="x")
            raise RuntimeError
    assert callbacks == []
    with django_assert_num_queries(0):
        page(client, public["deliberation"], "en")
