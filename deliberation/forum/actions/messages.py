"""Chat messages: the busiest write of a room."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import psycopg
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from deliberation.forum import async_connection
from deliberation.forum.actions import rate_limit
from deliberation.forum.actions.fields import clean_text
from deliberation.forum.actions.moderation import require_speaking_allowed
from deliberation.forum.actions.rate_limit import chat_window_start, require_within_chat_limit
from deliberation.forum.actions.room_log import (
    append_event,
    broadcast_message,
    broadcast_on_commit,
    lock_room,
)
from deliberation.forum.actions.sql import LOCK_ROOM, ONE_STATEMENT_MESSAGE, statement
from deliberation.forum.channel_groups import room_group
from deliberation.forum.hub import current_hub
from deliberation.forum.models import ModerationAction, RoomEvent

logger = logging.getLogger(__name__)


def do_post_message(
    room_id: int,
    actor: Any,
    text: Any,
    *,
    client_id: str = "",
    access_version: int | None = None,
) -> RoomEvent:
    """Save a chat message, then broadcast it; a repeated client_id returns the first copy.

    ``access_version`` is the room's access version when the sender's connection was
    admitted: while it is still the room's, the one-statement path may skip the
    membership check (nothing changed who may be in the room); otherwise the general
    path checks it again.
    """
    text = clean_text(text, field="text")
    if connection.vendor == "postgresql" and access_version is not None:
        event = append_message_in_one_statement(room_id, actor, text, client_id, access_version)
        if event is not None:
            return event
    return post_message_checked(room_id, actor, text, client_id)


def post_message_checked(room_id: int, actor: Any, text: str, client_id: str) -> RoomEvent:
    """The general path, which also explains a refusal or returns the earlier copy.

    The event carries the room's current access version (``room_access_version``, not
    stored) for the connection to admit its next messages by.
    """
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_speaking_allowed(room, actor)
        if client_id:
            earlier = RoomEvent.objects.filter(room=room, author=actor, client_id=client_id).first()
            if earlier is not None:
                earlier.repeated = True
                earlier.room_access_version = room.access_version
                return earlier
        recent = RoomEvent.objects.filter(
            room=room, author=actor, kind="message", created_at__gt=chat_window_start()
        )
        require_within_chat_limit(recent.count())
        event = append_event(room, "message", {}, author=actor, text=text, client_id=client_id)
        event.room_access_version = room.access_version
        return event


def append_message_in_one_statement(
    room_id: int, actor: Any, text: str, client_id: str, access_version: int
) -> RoomEvent | None:
    """PostgreSQL's path for the busiest write: the room row is locked, then one statement
    checks sanctions, duplicates and the rate limit, takes the next sequence number and
    inserts. None when the message is refused or already stored: the general path then
    says why. (The consumer's own path, ado_post_message, sends the same statements in
    one round trip.)"""
    now = timezone.now()
    params = one_statement_params(room_id, actor, text, client_id, now, access_version)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement(LOCK_ROOM), params)
            if cursor.fetchone() is None:
                return None
            cursor.execute(statement(ONE_STATEMENT_MESSAGE), params)
            row = cursor.fetchone()
    except IntegrityError:
        # The same client_id stored by a concurrent request: nothing was written here.
        return None
    if row is None:
        return None
    event = stored_message(row, room_id, actor, text, client_id, now)
    broadcast_on_commit(room_group(room_id), event)
    return event


def one_statement_params(
    room_id: int,
    actor: Any,
    text: str,
    client_id: str,
    now: datetime.datetime,
    access_version: int,
) -> dict:
    return {
        "room": room_id,
        "access_version": access_version,
        "author": actor.pk,
        "text": text,
        "client_id": client_id,
        "now": now,
        "since": now - datetime.timedelta(seconds=rate_limit.CHAT_WINDOW),
        "limit": rate_limit.CHAT_LIMIT,
        "remove": ModerationAction.Kind.REMOVE.value,
        "mute": ModerationAction.Kind.MUTE.value,
    }


def stored_message(
    row: tuple, room_id: int, actor: Any, text: str, client_id: str, now: datetime.datetime
) -> RoomEvent:
    return RoomEvent(
        pk=row[0],
        room_id=room_id,
        seq=row[1],
        kind="message",
        author=actor,
        text=text,
        client_id=client_id,
        payload={},
        created_at=now,
    )


async def ado_post_message(
    room_id: int, actor: Any, text: Any, *, client_id: str = "", access_version: int
) -> RoomEvent:
    """do_post_message for a consumer on PostgreSQL, run on the event loop.

    The same statements go through the worker's own async connection, in one
    transaction, so the busiest write takes no trip to a thread and no health check; the
    broadcast follows the commit. When the statements store nothing (a refusal, or a copy
    already stored) the general path runs in a thread to say why.
    """
    text = clean_text(text, field="text")
    now = timezone.now()
    params = one_statement_params(room_id, actor, text, client_id, now, access_version)
    try:
        row = await async_connection.fetch_one_locked(
            statement(LOCK_ROOM), statement(ONE_STATEMENT_MESSAGE), params
        )
    except psycopg.IntegrityError:
        # The same client_id stored by a concurrent request: the general path returns it.
        row = None
    if row is None:
        return await database_sync_to_async(post_message_checked)(room_id, actor, text, client_id)
    event = stored_message(row, room_id, actor, text, client_id, now)
    message = broadcast_message(event)
    hub = current_hub()
    layer = get_channel_layer()
    try:
        if hub is not None:
            await hub.publish(room_id, message)
        elif layer is not None:
            await layer.group_send(room_group(room_id), message)
    except Exception:
        logger.exception("broadcast to %s failed", room_group(room_id))
    return event
