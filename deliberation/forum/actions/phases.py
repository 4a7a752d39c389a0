"""The facilitator's run of a session: its phase and the timer."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum.actions.fields import clean_int, clean_reason
from deliberation.forum.actions.room_log import append_event, lock_room, require_runner
from deliberation.forum.models import Room, RoomEvent
from deliberation.forum.protocol import MAX_TIMER_LABEL_CHARS, MAX_TIMER_SECONDS
from deliberation.forum.wire import phase_state, timer_state


def do_set_phase(room_id: int, actor: Any, phase: Any) -> RoomEvent:
    if phase not in Room.Phase.values:
        raise ActionRefused(
            "invalid", f"'phase' must be one of {', '.join(Room.Phase.values)}.", reason="bad_phase"
        )
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        room.phase = phase
        Room.objects.filter(pk=room.pk).update(phase=phase)
        return append_event(room, "phase", phase_state(room))


def do_start_timer(room_id: int, actor: Any, seconds: Any, label: Any) -> RoomEvent:
    """Store the deadline, not the remaining time, so reloads and late joiners agree."""
    seconds = clean_int(seconds, field="seconds", low=1, high=MAX_TIMER_SECONDS)
    label = clean_reason(label)[:MAX_TIMER_LABEL_CHARS]
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        room.timer_ends_at = timezone.now() + datetime.timedelta(seconds=seconds)
        room.timer_label = label
        Room.objects.filter(pk=room.pk).update(timer_ends_at=room.timer_ends_at, timer_label=label)
        return append_event(room, "timer", timer_state(room))


def do_stop_timer(room_id: int, actor: Any) -> RoomEvent:
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        room.timer_ends_at, room.timer_label = None, ""
        Room.objects.filter(pk=room.pk).update(timer_ends_at=None, timer_label="")
        return append_event(room, "timer", timer_state(room))
