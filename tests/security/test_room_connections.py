"""One person's connections to a room are capped, and reconnecting does not inflate attendance."""

from __future__ import annotations

import datetime

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from deliberation.forum.attendance import merge_intervals, seconds_present
from deliberation.forum.models import Attendance
from deliberation.forum.protocol import CLOSE_TOO_MANY_CONNECTIONS, MAX_CONNECTIONS_PER_USER
from tests.deliberation.forum.room_helpers import close_code, join, open_socket

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime.datetime(2021, 10, 9, 14, 0, tzinfo=datetime.UTC)


def at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


async def test_one_connection_past_the_cap_is_closed_and_not_recorded(forum):
    open_ones = [await join(forum.alice, forum.room.pk) for _ in range(MAX_CONNECTIONS_PER_USER)]
    extra = await open_socket(forum.alice, forum.room.pk)
    assert await close_code(extra) == CLOSE_TOO_MANY_CONNECTIONS
    rows = await database_sync_to_async(Attendance.objects.filter(user=forum.alice).count)()
    assert rows == MAX_CONNECTIONS_PER_USER
    await open_ones[0].disconnect()
    again = await join(forum.alice, forum.room.pk)  # a closed one makes room again
    others = await join(forum.bob, forum.room.pk)  # the cap is per person
    for communicator in [*open_ones[1:], again, others]:
        await communicator.disconnect()


def test_overlapping_connections_count_once():
    intervals = [(at(0), at(30)), (at(10), at(20)), (at(29), at(45)), (at(60), at(70))]
    assert merge_intervals(intervals) == [(at(0), at(45)), (at(60), at(70))]
    assert seconds_present(intervals) == 55 * 60
    assert seconds_present([]) == 0


def test_the_attendance_export_merges_each_persons_connections(client, forum, user_with_role):
    now = timezone.now()
    for minutes in (0, 5, 10, 15):  # four reconnects within the same half hour
        Attendance.objects.create(
            room=forum.room,
            user=forum.alice,
            channel_name=f"c{minutes}",
            joined_at=now + datetime.timedelta(minutes=minutes),
            last_seen_at=now + datetime.timedelta(minutes=minutes + 12),
            left_at=now + datetime.timedelta(minutes=minutes + 12),
        )
    client.force_login(user_with_role("analyst"))
    url = reverse("forum:export", args=[forum.room.session_id, "attendance", "json"])
    (row,) = [r for r in client.get(url).json() if r["connections"] == 4]
    assert row["seconds"] == 27 * 60
    raw = client.get(reverse("forum:export", args=[forum.room.session_id, "connections", "json"]))
    assert len([r for r in raw.json() if r["seconds"] == 12 * 60]) == 4
