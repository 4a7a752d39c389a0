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
