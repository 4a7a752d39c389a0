"""Rooms with their people, for every test of the live room (loaded by tests/conftest.py)."""

from __future__ import annotations

import pytest

from deliberation.core.roles import Role
from deliberation.forum.models import Session
from deliberation.forum.selectors import group_room, plenary_room
from tests.factories import ForumGroupFactory, PanelistFactory, SessionFactory, UserFactory, join


@pytest.fixture
def forum(transactional_db):
    """A group room with its facilitator, two members, and outsiders."""
    facilitator = UserFactory(role=Role.FACILITATOR)
    alice = UserFactory(role=Role.PANELIST, first_name="Alice")
    bob = UserFactory(role=Role.PANELIST, first_name="Bob")
    group = ForumGroupFactory(facilitator=facilitator, members=[alice, bob])
    other_group = ForumGroupFactory(
        session=group.session, facilitator=UserFactory(role=Role.FACILITATOR)
    )
    outsider = UserFactory(role=Role.PANELIST)
    other_group.members.add(outsider)
    room = group_room(group)

    class Forum:
        pass

    forum = Forum()
    forum.__dict__.update(
        facilitator=facilitator,
        alice=alice,
        bob=bob,
        group=group,
        room=room,
        outsider=outsider,
        other_facilitator=other_group.facilitator,
    )
    return forum


@pytest.fixture
def plenary(transactional_db):
    """A plenary room with a moderator, an invited expert and two panel members."""
    moderator = UserFactory(role=Role.FACILITATOR)
    expert = UserFactory(role=Role.EXPERT)
    session = SessionFactory(kind=Session.Kind.PLENARY, moderator=moderator)
    session.experts.add(expert)
    join(moderator, session.deliberation, Role.FACILITATOR)
    join(expert, session.deliberation, Role.EXPERT)
    carol = PanelistFactory(deliberation=session.deliberation).user
    dan = PanelistFactory(deliberation=session.deliberation).user
    room = plenary_room(session)

    class Plenary:
        pass

    plenary = Plenary()
    plenary.__dict__.update(
        moderator=moderator, expert=expert, carol=carol, dan=dan, room=room, session=session
    )
    return plenary
