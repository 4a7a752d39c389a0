"""Who is in a room: attendance rows, and presence announced on the first connection."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum.actions.room_log import broadcast
from deliberation.forum.channel_groups import room_group
from deliberation.forum.models import Attendance
from deliberation.forum.protocol import MAX_CONNECTIONS_PER_USER
from deliberation.forum.wire import PRESENCE_TIMEOUT, person


def _live(room_id: int, user_id: int) -> QuerySet[Attendance]:
    """The person's live connections to the room, as ``wire.present_users`` counts them."""
    return Attendance.objects.filter(
        room_id=room_id,
        user_id=user_id,
        left_at__isnull=True,
        last_seen_at__gte=timezone.now() - PRESENCE_TIMEOUT,
    )


def do_join_room(room_id: int, user: Any, channel_name: str) -> Attendance:
    """Record attendance; announce the user when this is their first live connection.

    A person holds at most MAX_CONNECTIONS_PER_USER live connections to a room: their own
    row is locked while they are counted, so simultaneous connects take turns.
    """
    with transaction.atomic():
        # FOR NO KEY UPDATE: it serialises this person's connects, yet lets a moderation
        # that holds the room's lock reference the person meanwhile (a plain FOR UPDATE
        # blocks that reference while this insert waits for the room: a deadlock).
        get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        live = _live(room_id, user.pk).count()
        if live >= MAX_CONNECTIONS_PER_USER:
            raise ActionRefused(
                "too_many_connections",
                f"At most {MAX_CONNECTIONS_PER_USER} connections per person to a room.",
            )
        # Present already on another live connection: nobody is told again.
        already = live > 0
        attendance = Attendance.objects.create(
            room_id=room_id, user=user, channel_name=channel_name
        )
    if not already:
        announce_presence(room_id, user, present=True)
    return attendance


def do_leave_room(attendance_id: int) -> None:
    attendance = Attendance.objects.select_related("user__profile").filter(pk=attendance_id).first()
    if attendance is None or attendance.left_at is not None:
        return
    now = timezone.now()
    Attendance.objects.filter(pk=attendance_id).update(left_at=now, last_seen_at=now)
    if not _live(attendance.room_id, attendance.user_id).exists():
        announce_presence(attendance.room_id, attendance.user, present=False)


def do_touch_attendance(attendance_id: int) -> None:
    Attendance.objects.filter(pk=attendance_id, left_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


def announce_presence(room_id: int, user: Any, *, present: bool) -> None:
    message = {
        "type": "room.presence",
        "room": room_id,
        "presence": {"type": "presence", "user": person(user), "present": present},
    }
    transaction.on_commit(lambda: broadcast(room_group(room_id), message))
