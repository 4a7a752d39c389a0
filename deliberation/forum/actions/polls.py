"""Quick polls a facilitator opens in a room; results are sealed until the poll closes."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum.actions.fields import clean_id, clean_int, clean_text
from deliberation.forum.actions.room_log import append_event, lock_room, require_runner
from deliberation.forum.models import QuickPoll, QuickPollVote, Room, RoomEvent
from deliberation.forum.protocol import (
    MAX_POLL_OPTION_CHARS,
    MAX_POLL_OPTIONS,
    MAX_POLL_QUESTION_BYTES,
    MAX_POLL_QUESTION_CHARS,
)
from deliberation.forum.wire import poll_wire


def do_open_poll(room_id: int, actor: Any, question: Any, options: Any) -> RoomEvent:
    question = clean_text(question, field="question", max_bytes=MAX_POLL_QUESTION_BYTES)[
        :MAX_POLL_QUESTION_CHARS
    ]
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= MAX_POLL_OPTIONS
        or not all(isinstance(o, str) and o.strip() for o in options)
    ):
        raise ActionRefused(
            "invalid",
            f"'options' must be a list of 2 to {MAX_POLL_OPTIONS} non-empty strings.",
            reason="poll_options",
            params={"max": MAX_POLL_OPTIONS},
        )
    options = [option.strip()[:MAX_POLL_OPTION_CHARS] for option in options]
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        poll = QuickPoll.objects.create(
            room=room, question=question, options=options, opened_by=actor
        )
        return append_event(room, "poll", {"poll": poll_wire(poll)})


def poll_for_update(room: Room, poll_id: Any) -> QuickPoll:
    poll_id = clean_id(poll_id, field="poll_id")
    poll = QuickPoll.objects.select_for_update().filter(room=room, pk=poll_id).first()
    if poll is None:
        raise ActionRefused("invalid", "No such poll in this room.", reason="no_poll")
    return poll


def do_vote_poll(room_id: int, actor: Any, poll_id: Any, option: Any) -> int:
    """One vote per person; results stay sealed until the poll closes, so nothing is sent."""
    with transaction.atomic():
        room = lock_room(room_id, actor)
        poll = poll_for_update(room, poll_id)
        if poll.status != QuickPoll.Status.OPEN:
            raise ActionRefused("invalid", "This poll is closed.", reason="poll_closed")
        option = clean_int(option, field="option", low=0, high=len(poll.options) - 1)
        try:
            with transaction.atomic():
                QuickPollVote.objects.create(poll=poll, user=actor, option=option)
        except IntegrityError:
            raise ActionRefused(
                "already_voted", "You have voted in this poll.", reason="already_voted_poll"
            ) from None
    return option


def do_close_poll(room_id: int, actor: Any, poll_id: Any) -> RoomEvent:
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        poll = poll_for_update(room, poll_id)
        if poll.status != QuickPoll.Status.OPEN:
            raise ActionRefused("invalid", "This poll is closed.", reason="poll_closed")
        poll.status = QuickPoll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        return append_event(room, "poll", {"poll": poll_wire(poll)})
