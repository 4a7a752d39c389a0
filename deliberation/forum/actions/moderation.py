"""Moderation: hiding a message, muting and removing a participant, all kept on record."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from deliberation.core import audit
from deliberation.core.actions import ActionRefused
from deliberation.core.names import display_name
from deliberation.forum.actions.fields import clean_id, clean_int, clean_reason
from deliberation.forum.actions.room_log import (
    append_event,
    broadcast,
    lock_room,
    participant,
    require_runner,
)
from deliberation.forum.channel_groups import addressed, room_group
from deliberation.forum.models import HandRaise, ModerationAction, Room, RoomEvent
from deliberation.forum.protocol import MAX_MUTE_MINUTES
from deliberation.forum.wire import active_sanction, iso, person, queue_state


def require_speaking_allowed(room: Room, actor: Any) -> None:
    sanction = active_sanction(room.pk, actor.pk)
    if sanction is None:
        return
    if sanction.kind == ModerationAction.Kind.REMOVE:
        raise ActionRefused("removed", "You were removed from this room.")
    until = iso(sanction.until)
    raise ActionRefused("muted", f"You are muted until {until}.", params={"until": until})


def do_hide_message(room_id: int, actor: Any, seq: Any, reason: Any) -> RoomEvent:
    seq = clean_int(seq, field="seq", low=1, high=2**62)
    reason = clean_reason(reason)
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        message = RoomEvent.objects.filter(room=room, seq=seq, kind="message").first()
        if message is None:
            raise ActionRefused(
                "invalid", "No message with this sequence number.", reason="no_message"
            )
        if message.hidden_at is not None:
            raise ActionRefused(
                "invalid", "This message is already hidden.", reason="already_hidden"
            )
        message.hidden_at = timezone.now()
        message.hidden_reason = reason
        message.save(update_fields=["hidden_at", "hidden_reason"])
        ModerationAction.objects.create(
            room=room,
            actor=actor,
            kind=ModerationAction.Kind.HIDE,
            target_id=message.author_id,
            event=message,
            reason=reason,
        )
        audit.record(
            "message.hidden",
            actor=actor,
            deliberation=room.session.deliberation_id,
            obj=room,
            label=str(room),
            extra={"seq": seq, "reason": reason, "author": message.author_id},
        )
        return append_event(room, "message_hidden", {"target_seq": seq}, author=actor)


def do_mute(room_id: int, actor: Any, user_id: Any, minutes: Any, reason: Any) -> RoomEvent:
    user_id = clean_id(user_id, field="user_id")
    minutes = clean_int(minutes, field="minutes", low=1, high=MAX_MUTE_MINUTES)
    reason = clean_reason(reason)
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        target = participant(room, user_id)
        until = timezone.now() + datetime.timedelta(minutes=minutes)
        ModerationAction.objects.create(
            room=room,
            actor=actor,
            kind=ModerationAction.Kind.MUTE,
            target=target,
            reason=reason,
            until=until,
        )
        audit.record(
            "participant.muted",
            actor=actor,
            deliberation=room.session.deliberation_id,
            obj=room,
            label=str(room),
            extra={
                "user": target.pk,
                "name": display_name(target),
                "minutes": minutes,
                "reason": reason,
            },
        )
        return append_event(
            room, "moderation", {"action": "mute", "user": person(target), "until": iso(until)}
        )


def do_remove(room_id: int, actor: Any, user_id: Any, reason: Any) -> RoomEvent:
    """Remove a participant: logged, announced, their connections closed, re-entry refused."""
    user_id = clean_id(user_id, field="user_id")
    reason = clean_reason(reason)
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        target = participant(room, user_id)
        ModerationAction.objects.create(
            room=room,
            actor=actor,
            kind=ModerationAction.Kind.REMOVE,
            target=target,
            reason=reason,
        )
        audit.record(
            "participant.removed",
            actor=actor,
            deliberation=room.session.deliberation_id,
            obj=room,
            label=str(room),
            extra={"user": target.pk, "name": display_name(target), "reason": reason},
        )
        event = append_event(
            room, "moderation", {"action": "remove", "user": person(target), "until": None}
        )
        raised = HandRaise.objects.filter(room=room, user=target).delete()[0]
        if room.speaker_id == target.pk:
            Room.objects.filter(pk=room.pk).update(speaker=None, speaker_until=None)
            room.speaker, room.speaker_until = None, None
            raised = True
        if raised:
            append_event(room, "queue", queue_state(room))
        kick = addressed({"type": "room.kick", "room": room.pk}, users=[target.pk])
        transaction.on_commit(lambda: broadcast(room_group(room.pk), kick))
        return event
