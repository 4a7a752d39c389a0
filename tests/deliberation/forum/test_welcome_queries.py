"""A connection's welcome reads as many queries with 60 people in the room as with 5.

After a worker dies, everyone it served reconnects at once; a welcome that named each
present person with a query of their own took seconds in a full plenary.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.core.roles import Role
from deliberation.forum.actions import do_join_room, do_leave_room
from deliberation.forum.models import Attendance, ExpertQuestion, RoomEvent, Session
from deliberation.forum.selectors import plenary_room
from deliberation.forum.wire import events_after, snapshot
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def crowded_plenary(people: int):
    """A plenary with ``people`` present staff members (named through their roles), each
    with a chat message and a question to the experts."""
    room = plenary_room(SessionFactory(kind=Session.Kind.PLENARY))
    users = UserFactory.create_batch(people, role=Role.EXPERT)
    Attendance.objects.bulk_create(
        Attendance(room=room, user=user, channel_name=f"c{user.pk}") for user in users
    )
    RoomEvent.objects.bulk_create(
        RoomEvent(room=room, seq=seq, kind="message", author=user, text="안녕하세요")
        for seq, user in enumerate(users, start=1)
    )
    room.last_seq = people
    room.save(update_fields=["last_seq"])
    ExpertQuestion.objects.bulk_create(
        ExpertQuestion(room=room, author=user, answered_by=users[0], text="질문") for user in users
    )
    return room


def welcome_queries(people: int) -> int:
    room = crowded_plenary(people)
    newcomer = UserFactory(role=Role.FACILITATOR)
    permissions = {"can_run": False, "can_answer": False}
    with CaptureQueriesContext(connection) as queries:
        attendance = do_join_room(room.pk, newcomer, "newcomer")
        welcome = snapshot(room, newcomer, permissions=permissions)
        events_after(room.pk, 0)
        do_leave_room(attendance.pk)
    assert len(welcome["presence"]) == people + 1
    return len(queries.captured_queries)


def test_a_welcome_reads_the_same_queries_with_5_or_60_people_present():
    assert welcome_queries(5) == welcome_queries(60)
