"""The demo's live forum: allocated groups, materials, synthetic chat, no duplicates."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from deliberation.models import ForumGroup, Material, Room, RoomEvent, Session


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_seed_demo_builds_diverse_groups_rooms_and_history_once(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
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
