"""The room's event log: every write locks the room row, takes the next sequence number,
stores its event and broadcasts it once the transaction has committed. Clients that miss
a broadcast recover the event from the database by its sequence number."""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from deliberation.core.actions import ActionRefused
from deliberation.forum.access import can_join_room, can_run_room
from deliberation.forum.actions.fields import clean_id
from deliberation.forum.actions.sql import APPEND_EVENT, event_params, statement
from deliberation.forum.models import Room, RoomEvent
from deliberation.forum.wire import event_to_wire

logger = logging.getLogger(__name__)


def broadcast(group: str, message: dict) -> None:
    """Send to a channel group; a lost broadcast is recovered by clients through resume."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("broadcast to %s failed", group)


def lock_room(room_id: int, actor: Any) -> Room:
    """The room, locked for this action, once the actor is still allowed in it.

    Membership is checked on every action, not only when the connection opened: a
    panelist moved to another group, or whose seat was declined, is refused at once.
    """
    try:
        room = (
            Room.objects.select_for_update(of=("self",))
            .select_related("group__session", "session", "speaker")
            .get(pk=room_id)
        )
    except Room.DoesNotExist:
        raise ActionRefused("not_found", "This room does not exist.") from None
    if not can_join_room(actor, room):
        raise ActionRefused("revoked", "You are no longer a participant of this room.")
    return room


def append_event(
    room: Room,
    kind: str,
    payload: dict,
    *,
    author: Any = None,
    text: str = "",
    client_id: str = "",
) -> RoomEvent:
    """Store one event under the next sequence number; broadcast it after commit."""
    seq = room.last_seq + 1
    event = RoomEvent(
        room=room,
        seq=seq,
        kind=kind,
        author=author,
        text=text,
        client_id=client_id,
        payload=payload,
    )
    if connection.vendor == "postgresql":
        # The counter and the event in one round trip; the room row is already locked.
        with connection.cursor() as cursor:
            cursor.execute(statement(APPEND_EVENT), event_params(event))
            event.pk = cursor.fetchone()[0]
    else:
        Room.objects.filter(pk=room.pk).update(last_seq=seq)
        event.save(force_insert=True)
    room.last_seq = seq
    broadcast_on_commit(room.channel_group, event)
    return event


def broadcast_message(event: RoomEvent) -> dict:
    # Serialised once here rather than once per receiving connection.
    return {
        "type": "room.event",
        "room": event.room_id,
        "seq": event.seq,
        "text": json.dumps(event_to_wire(event), ensure_ascii=False),
    }


def broadcast_on_commit(group: str, event: RoomEvent) -> None:
    message = broadcast_message(event)
    transaction.on_commit(lambda: broadcast(group, message))


def require_runner(room: Room, actor: Any) -> None:
    if not can_run_room(actor, room):
        raise ActionRefused(
            "forbidden", "Only the facilitator can do this.", reason="facilitator_only"
        )


def participant(room: Room, user_id: Any) -> Any:
    """A user who may be in this room and is not one of the people running it."""
    user_id = clean_id(user_id, field="user_id")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not can_join_room(user, room):
        raise ActionRefused("invalid", "No such participant in this room.", reason="no_participant")
    if can_run_room(user, room):
        raise ActionRefused(
            "invalid", "Facilitators cannot be moderated here.", reason="facilitator_not_moderated"
        )
    return user
