"""When who may be in a room changes: the room's access version rises and the people who
lost the room have their connections closed, on every worker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F

from deliberation.forum.actions.room_log import broadcast
from deliberation.forum.channel_groups import addressed, room_group
from deliberation.forum.models import ForumGroup, Room
from panels.models import ACTIVE_STATUSES, Panelist


def do_revoke_room_access(rooms: Iterable[Room], user_ids: Iterable[int]) -> None:
    """Inside the transaction that changes membership: raise the rooms' access version,
    and once it commits close the users' connections to them (4403)."""
    room_ids = sorted({room.pk for room in rooms})
    users = sorted(set(user_ids))
    if not room_ids or not users:
        return
    Room.objects.filter(pk__in=room_ids).update(access_version=F("access_version") + 1)

    def close() -> None:
        for room_id in room_ids:
            revoke = {"type": "room.revoke", "room": room_id}
            broadcast(room_group(room_id), addressed(revoke, users=users))

    transaction.on_commit(close)


def rooms_of_groups(group_ids: Iterable[int]) -> list[Room]:
    return list(Room.objects.filter(group_id__in=list(group_ids)))


def close_rooms_of_a_seat_that_left(
    sender: Any, *, panelist: Panelist, previous_status: str, **kwargs: Any
) -> None:
    """A seat declined or dropped: its person leaves the deliberation's rooms."""
    if panelist.is_active or previous_status not in ACTIVE_STATUSES:
        return
    groups = ForumGroup.objects.filter(
        session__deliberation_id=panelist.deliberation_id, members=panelist.user_id
    ).values_list("pk", flat=True)
    rooms = [
        *rooms_of_groups(groups),
        *Room.objects.filter(session__deliberation_id=panelist.deliberation_id, group__isnull=True),
    ]
    do_revoke_room_access(rooms, [panelist.user_id])


def close_rooms_of_removed_members(
    sender: Any,
    *,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """Members taken out of a group by hand (the admin) leave its room at once."""
    if reverse or action not in ("pre_clear", "post_remove"):
        return
    if action == "pre_clear":
        user_ids = set(instance.members.values_list("pk", flat=True))
    else:
        user_ids = set(pk_set or ())
    do_revoke_room_access(rooms_of_groups([instance.pk]), user_ids)
