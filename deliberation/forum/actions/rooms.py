"""Opening a session's rooms: one for the whole session (the plenary) and one per group."""

from __future__ import annotations

from django.db import transaction

from deliberation.forum.models import ForumGroup, Room, Session


def do_open_rooms(session: Session) -> int:
    """Create the rooms the session and its groups do not have yet; returns how many.

    Called wherever sessions and groups are created (allocation, the admin, the demo), so
    the room pages only read. Safe to repeat; the unique constraints settle a race.
    """
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        missing = [
            Room(session_id=session.pk, group_id=group_id)
            for group_id in ForumGroup.objects.filter(session_id=session.pk, room__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ]
        if not Room.objects.filter(session_id=session.pk, group__isnull=True).exists():
            missing.insert(0, Room(session_id=session.pk, group=None))
        Room.objects.bulk_create(missing)
    return len(missing)
