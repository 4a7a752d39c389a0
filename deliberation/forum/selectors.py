"""Readers of the forum: what a page or a room needs, in a fixed number of queries."""

from __future__ import annotations

from django.http import Http404

from deliberation.forum.models import ForumGroup, Room, Session
from panels.models import Panelist


def allocation_candidates(session: Session) -> list[Panelist]:
    """The deliberation's active panel, in a stable order."""
    return list(
        Panelist.objects.active()
        .filter(deliberation_id=session.deliberation_id)
        .order_by("pseudonym")
    )


def group_room(group: ForumGroup) -> Room:
    """The group's room (opened with the group by actions.rooms.open_rooms)."""
    room = Room.objects.select_related("group", "session").filter(group=group).first()
    if room is None:
        raise Http404("This group has no room.")
    return room


def plenary_room(session: Session) -> Room:
    """The session-wide room (opened with the session by actions.rooms.open_rooms)."""
    room = Room.objects.select_related("session").filter(session=session, group=None).first()
    if room is None:
        raise Http404("This session has no plenary room.")
    return room
