"""The demo deliberation: every role can sign in, and seeding twice duplicates nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from deliberation.models import Deliberation, ForumGroup, Session, Stage
from panels.models import Panelist


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


@pytest.fixture
def seeded(db):
    call_command("seed_demo", password="demo-password-1")
    return counts()


def test_seed_demo_creates_every_role(seeded):
    assert seeded["users"] == 333
    assert seeded["groups"] == 30
    assert seeded["panelists"] == 300
    demo = Deliberation.objects.get()
    assert demo.is_demo


def test_seeding_twice_duplicates_nothing(seeded):
    call_command("seed_demo", password="demo-password-1")
    assert counts() == seeded


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


def test_every_demo_panelist_is_in_exactly_one_regional_group(seeded):
    regional = Session.objects.get(kind=Session.Kind.REGIONAL_FORUM)
    through = ForumGroup.members.through.objects.filter(forumgroup__session=regional)
    user_ids = list(through.values_list("user_id", flat=True))
    assert len(user_ids) == 300 == len(set(user_ids))
