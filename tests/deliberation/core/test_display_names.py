"""Display names: a panelist is seen by the name they chose or their seat's, never by their
account; staff by their real name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from deliberation.core.actions import ActionRefused, do_set_display_name
from deliberation.core.models import Profile
from deliberation.core.names import display_name
from deliberation.core.roles import Role
from tests.factories import PASSWORD, PanelistFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def seat():
    return PanelistFactory(draw_position=17, user__email="kim.minsu@example.org")


def sign_in(client, user, **params):
    url = reverse("account_login")
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(url, {"login": user.email, "password": PASSWORD, **params})


def test_the_default_name_is_the_seat_number_in_korean_and_english(seat):
    with translation.override("ko"):
        assert display_name(seat.user) == "참여자 017"
    with translation.override("en"):
        assert display_name(seat.user) == "Participant 017"


def test_a_panelist_without_a_seat_is_never_named_by_the_account():
    user = UserFactory(role=Role.PANELIST, username="v2-V001", first_name="Minsu")
    with translation.override("en"):
        name = display_name(user)
    assert "v2-V001" not in name and "Minsu" not in name and user.email not in name


def test_staff_appear_by_their_real_name_or_their_email_local_part():
    named = UserFactory(role=Role.FACILITATOR, first_name="Jihyun", last_name="Kim")
    unnamed = UserFactory(role=Role.EXPERT, email="dr.park@example.org")
    assert display_name(named) == "Jihyun Kim"
    assert display_name(unnamed) == "dr.park"


def test_a_panelists_first_sign_in_asks_for_a_name_then_goes_on(client, seat):
    response = sign_in(client, seat.user, next="/surveys/")
    assert response.status_code == 302
    assert response["Location"] == reverse("profile:welcome") + "?next=%2Fsurveys%2F"


def test_a_staff_members_sign_in_is_not_asked_for_a_name(client):
    staff = UserFactory(role=Role.ORGANIZER)
    response = sign_in(client, staff)
    assert response["Location"] == reverse("deliberation:home")


def test_the_first_sign_in_page_sets_the_name(client, seat):
    client.force_login(seat.user)
    response = client.post(
        reverse("profile:welcome") + "?next=/surveys/",
        {"display_name": "  한강   지킴이 ", "choice": "choose", "next": "/surveys/"},
    )
    assert response.status_code == 302 and response["Location"] == "/surveys/"
    profile = Profile.objects.get(user=seat.user)
    assert profile.display_name == "한강 지킴이" and profile.name_confirmed_at is not None
    assert sign_in(client, seat.user)["Location"] == reverse("deliberation:home")


def test_the_first_sign_in_page_keeps_the_default_with_one_press(client, seat):
    client.force_login(seat.user)
    client.post(reverse("profile:welcome"), {"display_name": "ignored", "choice": "keep"})
    profile = Profile.objects.get(user=seat.user)
    assert profile.display_name == "" and profile.name_confirmed_at is not None


@pytest.mark.parametrize(
    "name",
    ["kim.minsu@example.org", "연락 minsu@naver.com", "https://example.org", "010-1234-5678"],
)
def test_the_first_sign_in_page_refuses_contact_details_as_a_name(client, seat, name):
    client.force_login(seat.user)
    with translation.override("en"):
        response = client.post(
            reverse("profile:welcome"),
            {"display_name": name, "choice": "choose"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert re.search(r"cannot be a name", response.content.decode())
    profile = Profile.objects.get(user=seat.user)
    assert profile.display_name == "" and profile.name_confirmed_at is None


def test_a_name_longer_than_30_characters_is_refused(seat):
    with pytest.raises(ActionRefused):
        do_set_display_name(seat.user, "가" * 31)
    assert Profile.objects.get(user=seat.user).display_name == ""


def test_a_name_taken_on_the_same_panel_is_refused(seat):
    other = PanelistFactory(deliberation=seat.deliberation)
    do_set_display_name(other.user, "한강 지킴이")
    with pytest.raises(ActionRefused) as refused:
        do_set_display_name(seat.user, "한강 지킴이")
    assert refused.value.code == "taken"
    do_set_display_name(PanelistFactory().user, "한강 지킴이")  # another panel: allowed


def test_another_seats_default_name_is_refused(seat):
    with pytest.raises(ActionRefused) as refused:
        do_set_display_name(seat.user, "Participant 018")
    assert refused.value.code == "seat"


def test_staff_cannot_take_a_display_name():
    with pytest.raises(ActionRefused):
        do_set_display_name(UserFactory(role=Role.FACILITATOR), "익명")


def test_the_account_page_changes_the_name_later(client, seat):
    do_set_display_name(seat.user, "한강 지킴이")
    client.force_login(seat.user)
    client.post(reverse("profile:account"), {"display_name": "마포 주민", "choice": "choose"})
    assert display_name(Profile.objects.get(user=seat.user).user) == "마포 주민"
    client.post(reverse("profile:account"), {"choice": "default"})
    assert Profile.objects.get(user=seat.user).display_name == ""


def test_the_header_shows_the_display_name_not_the_account(client, seat):
    seat.user.username = "v2-V001"
    seat.user.save()
    client.force_login(seat.user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("deliberation:home")).content.decode()
    header = page[page.index("<header") : page.index("</header>")]
    assert "Participant 017" in header
    assert "v2-V001" not in header and seat.user.email not in header


def test_the_sign_in_message_names_the_person_by_the_display_name(client, seat):
    do_set_display_name(seat.user, "한강 지킴이")
    seat.user.username = "v2-V001"
    seat.user.save()
    response = sign_in(client, seat.user)
    page = client.get(response["Location"]).content.decode()
    assert "한강 지킴이" in page and "v2-V001" not in page
