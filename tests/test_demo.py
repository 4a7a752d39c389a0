"""The demo deliberation, seeded once for this module (seeding is the slow part).

Every role can sign in, and seeding twice duplicates nothing. The database is flushed
when the module ends so that other tests start from an empty one.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from deliberation.models import (
    Deliberation,
    ForumGroup,
    Material,
    Room,
    RoomEvent,
    Session,
    Stage,
)
from deliberation.roles import Role
from panels import actions
from panels.audit_record import verify_record
from panels.models import Panelist, SelectionAudit, Volunteer
from tests.factories import UserFactory

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "deliberations": Deliberation.objects.count(),
        "stages": Stage.objects.count(),
        "sessions": Session.objects.count(),
        "groups": ForumGroup.objects.count(),
        "memberships": ForumGroup.members.through.objects.count(),
        "panelists": Panelist.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
        first = counts()
        call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
        yield {"first": first, "second": counts()}
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_seed_demo_creates_every_role(seeded):
    assert seeded["first"]["users"] == 333
    assert seeded["first"]["groups"] == 30
    assert seeded["first"]["panelists"] == 300
    assert Deliberation.objects.get().is_demo


@pytest.mark.django_db
def test_seeding_twice_duplicates_nothing(seeded):
    assert seeded["second"] == seeded["first"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "organizer@example.org",
        "analyst@example.org",
        "expert@example.org",
        "facilitator01@example.org",
        "facilitator30@example.org",
        "panelist001@example.org",
        "panelist300@example.org",
    ],
)
def test_every_demo_role_signs_in_with_the_password(client, seeded, email):
    response = client.post(
        reverse("account_login"), {"login": email, "password": "demo-password-1"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get(reverse("deliberation:home")).status_code == 200
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_every_demo_panelist_is_in_exactly_one_regional_group(seeded):
    regional = Session.objects.get(kind=Session.Kind.REGIONAL_FORUM)
    through = ForumGroup.members.through.objects.filter(forumgroup__session=regional)
    user_ids = list(through.values_list("user_id", flat=True))
    assert len(user_ids) == 300 == len(set(user_ids))


@pytest.mark.django_db
def test_role_groups_survive_a_flush(seeded):
    from django.contrib.auth.models import Group

    from deliberation.roles import Role

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
def test_demo_panel_is_drawn_as_the_demo_panelist_accounts_and_verifies(seeded):
    audit = SelectionAudit.objects.get()
    seats = Panelist.objects.select_related("user", "volunteer").order_by("draw_position")
    assert [s.user.email for s in seats] == [f"panelist{i:03d}@example.org" for i in range(1, 301)]
    assert [s.volunteer.external_id for s in seats] == audit.panel
    assert audit.lottery["size"] == 1000
    assert verify_record(actions.audit_record(audit)).ok


@pytest.mark.django_db
def test_demo_pool_has_few_young_men_in_dosimgwon(seeded):
    pool = Volunteer.objects.count()
    few = Volunteer.objects.filter(
        features__region="도심권", features__gender="남성", features__age_band="18-29"
    ).count()
    assert 2500 <= pool <= 3500
    assert few / pool < 0.05 * 0.485 * 0.18


@pytest.mark.django_db
def test_report_page_for_the_demo_shows_what_exists_and_says_what_is_missing(client, seeded):
    client.force_login(UserFactory(role=Role.ANALYST))
    response = client.get(reverse("deliberation:report", args=["seoul-2021-waste"]), **ENGLISH)
    html = response.content.decode()
    assert response.status_code == 200
    assert "서울시 생활폐기물 공론화 2021" in html
    assert "The panel has 300 members." in html
    assert "권역별 시민토론회" in html
    assert "Chi-square goodness of fit" in html and "도심권" in html
    assert html.count('<svg role="img"') == 3
    for missing in (
        "No poll results yet.",
        "No panel survey answers yet.",
        "No group recommendations yet.",
        "No attendance data yet.",
    ):
        assert missing in html
    assert "panelist001@example.org" not in html


@pytest.mark.django_db
def test_seed_demo_builds_diverse_groups_rooms_and_history_once(seeded):
    regional = Session.objects.get(kind=Session.Kind.REGIONAL_FORUM)
    groups = ForumGroup.objects.filter(session=regional).prefetch_related("members__panel_seats")
    assert groups.count() == 30
    for group in groups:
        members = list(group.members.all())
        assert len(members) == 10 and group.facilitator_id is not None
        genders = {seat.gender for member in members for seat in member.panel_seats.all()}
        assert genders == {"남성", "여성"}
    assert Room.objects.filter(group__session=regional).count() == 30
    messages = RoomEvent.objects.filter(kind="message")
    assert messages.count() == 30 * 6 and not messages.filter(is_synthetic=False).exists()
    assert Material.objects.filter(session=regional).count() == 3
    plenary = Session.objects.get(kind=Session.Kind.PLENARY)
    assert Room.for_session(plenary).questions.count() == 2
    assert plenary.moderator is not None
