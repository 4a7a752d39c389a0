"""The speaking queue: raised hands and the floor."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum.access import can_join_room
from deliberation.forum.actions.fields import clean_id, clean_int
from deliberation.forum.actions.moderation import require_speaking_allowed
from deliberation.forum.actions.room_log import append_event, lock_room, require_runner
from deliberation.forum.models import HandRaise, Room, RoomEvent
from deliberation.forum.protocol import MAX_TURN_SECONDS
from deliberation.forum.wire import queue_state


def do_raise_hand(room_id: int, actor: Any) -> RoomEvent:
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_speaking_allowed(room, actor)
        if room.speaker_id == actor.pk:
            raise ActionRefused("invalid", "You have the floor already.", reason="have_floor")
        _, created = HandRaise.objects.get_or_create(room=room, user=actor)
        if not created:
            raise ActionRefused("invalid", "Your hand is already raised.", reason="hand_raised")
        return append_event(room, "queue", queue_state(room))


def do_lower_hand(room_id: int, actor: Any, user_id: Any = None) -> RoomEvent:
    if user_id is not None:
        user_id = clean_id(user_id, field="user_id")
    """Lower one's own hand; the facilitator may lower anyone's."""
    with transaction.atomic():
        room = lock_room(room_id, actor)
        target_id = actor.pk
        if user_id is not None and user_id != actor.pk:
            require_runner(room, actor)
            target_id = user_id
        if not HandRaise.objects.filter(room=room, user_id=target_id).delete()[0]:
            raise ActionRefused("invalid", "This hand is not raised.", reason="hand_not_raised")
        return append_event(room, "queue", queue_state(room))


def do_give_floor(room_id: int, actor: Any, user_id: Any, seconds: Any) -> RoomEvent:
    user_id = clean_id(user_id, field="user_id")
    seconds = clean_int(seconds, field="seconds", low=10, high=MAX_TURN_SECONDS)
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        speaker = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if speaker is None or not can_join_room(speaker, room):
            raise ActionRefused(
                "invalid", "No such participant in this room.", reason="no_participant"
            )
        room.speaker = speaker
        room.speaker_until = timezone.now() + datetime.timedelta(seconds=seconds)
        Room.objects.filter(pk=room.pk).update(speaker=speaker, speaker_until=room.speaker_until)
        HandRaise.objects.filter(room=room, user=speaker).delete()
        return append_event(room, "queue", queue_state(room))


def do_end_floor(room_id: int, actor: Any) -> RoomEvent:
    """End the current turn: the facilitator or the speaker themself."""
    with transaction.atomic():
        room = lock_room(room_id, actor)
        if room.speaker_id is None:
            raise ActionRefused("invalid", "Nobody has the floor.", reason="nobody_speaking")
        if room.speaker_id != actor.pk:
            require_runner(room, actor)
        room.speaker, room.speaker_until = None, None
        Room.objects.filter(pk=room.pk).update(speaker=None, speaker_until=None)
        return append_event(room, "queue", queue_state(room))
