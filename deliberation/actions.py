"""Writes that others must see, each in one transaction (the do_* pattern)."""

from __future__ import annotations

import datetime
import functools
import json
import logging
from contextlib import nullcontext

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from deliberation import async_connection
from deliberation.access import can_answer_in_room, can_join_room, can_run_room
from deliberation.allocation import allocate, encode
from deliberation.models import (
    Attendance,
    ForumGroup,
    HandRaise,
    Material,
    ModerationAction,
    Poll,
    PollVote,
    Question,
    QuestionVote,
    Recommendation,
    RecommendationSupport,
    Room,
    RoomEvent,
    Session,
    Stage,
)
from deliberation.room_hub import current_hub
from deliberation.room_wire import (
    active_sanction,
    event_to_wire,
    iso,
    person,
    phase_state,
    poll_wire,
    present_users,
    question_wire,
    queue_state,
    recommendation_wire,
    timer_state,
)
from panels.models import Panelist

logger = logging.getLogger(__name__)


def do_update_stage(
    stage: Stage,
    *,
    status: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    note: str,
    actor,
) -> Stage:
    """Change a stage's status and dates; the row is locked so two organizers cannot race."""
    with transaction.atomic():
        locked = Stage.objects.select_for_update().get(pk=stage.pk)
        locked.status = status
        locked.starts_on = starts_on
        locked.ends_on = ends_on
        locked.note = note
        locked.full_clean()
        locked.save(update_fields=["status", "starts_on", "ends_on", "note"])
        transaction.on_commit(
            lambda: logger.info(
                "stage %s of %s set to %s by %s",
                locked.kind,
                locked.deliberation_id,
                status,
                getattr(actor, "pk", None),
            )
        )
    return locked


def do_save_report_narratives(deliberation, texts: dict[str, str], *, actor) -> int:
    """Save the analysts' text per report section; returns how many sections changed."""
    from deliberation.models import ReportNarrative

    changed = 0
    with transaction.atomic():
        current = {
            n.section: n
            for n in ReportNarrative.objects.select_for_update().filter(deliberation=deliberation)
        }
        for section, text in texts.items():
            if section not in ReportNarrative.Section.values:
                raise ValueError(f"unknown report section {section!r}")
            existing = current.get(section)
            if existing is None and not text:
                continue
            if existing is not None and existing.text == text:
                continue
            ReportNarrative.objects.update_or_create(
                deliberation=deliberation,
                section=section,
                defaults={"text": text, "updated_by": actor},
            )
            changed += 1
        transaction.on_commit(
            lambda: logger.info(
                "report narrative of %s: %d section(s) saved by %s",
                deliberation.pk,
                changed,
                getattr(actor, "pk", None),
            )
        )
    return changed


def do_set_report_headline(deliberation, item: str, *, actor):
    """Choose the report's headline opinion item ("" restores the default rule).

    The item must be an agree-disagree or yes/no question of the deliberation's panel
    surveys; anything else is refused with ActionRefused and nothing is saved. The row is
    locked so the check and the write see the same questionnaires.
    """
    from deliberation.models import Deliberation
    from surveys.wave_data import (
        is_headline_candidate,
        panel_codings,
        panel_question_codes,
        panel_waves,
    )

    item = (item or "").strip()
    with transaction.atomic():
        locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        if item:
            waves = panel_waves(locked)
            codings = panel_codings(waves)
            if item not in codings and item not in panel_question_codes(waves):
                raise ActionRefused(
                    "unknown_item",
                    gettext("%(item)s is not a question of this deliberation's panel surveys.")
                    % {"item": item},
                )
            if item not in codings or not is_headline_candidate(codings[item]):
                raise ActionRefused(
                    "wrong_type",
                    gettext(
                        "%(item)s cannot be the headline question: choose an agree–disagree "
                        "or yes/no question."
                    )
                    % {"item": item},
                )
        if locked.report_headline_item != item:
            locked.report_headline_item = item
            locked.save(update_fields=["report_headline_item"])
            transaction.on_commit(
                lambda: logger.info(
                    "report headline of %s set to %r by %s",
                    locked.pk,
                    item,
                    getattr(actor, "pk", None),
                )
            )
    deliberation.report_headline_item = item
    return locked


def do_request_report_render(deliberation, *, actor, language: str = "ko"):
    """Queue a PDF of the report, or return the one already being made for this deliberation.

    The deliberation row is locked so two clicks cannot start two renders; a render left
    unfinished by a dead process for longer than the stale limit is marked failed.
    """
    from deliberation.models import Deliberation, ReportRender
    from deliberation.report_jobs import STALE_AFTER, start_render

    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        active = ReportRender.objects.filter(
            deliberation=deliberation,
            status__in=[ReportRender.Status.QUEUED, ReportRender.Status.RUNNING],
        )
        active.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
            status=ReportRender.Status.FAILED,
            error="interrupted",
            finished_at=timezone.now(),
        )
        render = active.first()
        if render is not None:
            return render
        render = ReportRender.objects.create(
            deliberation=deliberation, requested_by=actor, language=language
        )
        transaction.on_commit(lambda: start_render(render.pk))
    return render


# Live rooms -------------------------------------------------------------------------
#
# Every write in a room goes through one of the do_* functions below: each locks the
# room row, advances its sequence counter, stores the event and broadcasts it to the
# room's channel group once the transaction has committed. Clients that miss a broadcast
# recover the event from the database by its sequence number.

MAX_MESSAGE_BYTES = 4096
# At most CHAT_LIMIT messages (and as many expert questions) per participant and room in
# any CHAT_WINDOW seconds, counted from what is stored, so every connection and worker
# process counts together and a resent copy of a stored message does not count again.
CHAT_LIMIT, CHAT_WINDOW = 5, 10
MAX_REASON_CHARS = 300
MAX_POLL_OPTIONS = 10
MAX_MUTE_MINUTES = 240
MAX_TURN_SECONDS = 1800
MAX_TIMER_SECONDS = 4 * 3600


class ActionRefused(Exception):
    """A room action that is not allowed or not valid; nothing was written."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def user_channel_group(room_id: int, user_id: int) -> str:
    return f"room.{room_id}.user.{user_id}"


def broadcast(group: str, message: dict) -> None:
    """Send to a channel group; a lost broadcast is recovered by clients through resume."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("broadcast to %s failed", group)


def _lock_room(room_id: int):
    try:
        return (
            Room.objects.select_for_update(of=("self",))
            .select_related("group", "session", "speaker")
            .get(pk=room_id)
        )
    except Room.DoesNotExist:
        raise ActionRefused("not_found", "This room does not exist.") from None


def _append(room, kind: str, payload: dict, *, author=None, text: str = "", client_id: str = ""):
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
            cursor.execute(_statement(_APPEND_EVENT), _event_params(event))
            event.pk = cursor.fetchone()[0]
    else:
        Room.objects.filter(pk=room.pk).update(last_seq=seq)
        event.save(force_insert=True)
    room.last_seq = seq
    _broadcast_on_commit(room.channel_group, event)
    return event


def _broadcast_message(event: RoomEvent) -> dict:
    # Serialised once here rather than once per receiving connection.
    return {
        "type": "room.event",
        "room": event.room_id,
        "seq": event.seq,
        "text": json.dumps(event_to_wire(event), ensure_ascii=False),
    }


def _broadcast_on_commit(group: str, event: RoomEvent) -> None:
    message = _broadcast_message(event)
    transaction.on_commit(lambda: broadcast(group, message))


def _require_runner(room, actor) -> None:
    if not can_run_room(actor, room):
        raise ActionRefused("forbidden", "Only the facilitator can do this.")


def _require_speaking_allowed(room, actor) -> None:
    sanction = active_sanction(room.pk, actor.pk)
    if sanction is None:
        return
    if sanction.kind == ModerationAction.Kind.REMOVE:
        raise ActionRefused("removed", "You were removed from this room.")
    raise ActionRefused("muted", f"You are muted until {sanction.until.isoformat()}.")


def _clean_text(value, *, field: str, max_bytes: int = MAX_MESSAGE_BYTES) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActionRefused("invalid", f"'{field}' must be a non-empty string.")
    if len(value.encode("utf-8")) > max_bytes:
        raise ActionRefused("too_large", f"'{field}' is longer than {max_bytes} bytes.")
    return value.strip()


def _clean_int(value, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ActionRefused("invalid", f"'{field}' must be an integer from {low} to {high}.")
    return value


def _clean_reason(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ActionRefused("invalid", "'reason' must be a string.")
    return value.strip()[:MAX_REASON_CHARS]


def _participant(room, user_id):
    """A user who may be in this room and is not one of the people running it."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not can_join_room(user, room):
        raise ActionRefused("invalid", "No such participant in this room.")
    if can_run_room(user, room):
        raise ActionRefused("invalid", "Facilitators cannot be moderated here.")
    return user


def do_post_message(room_id: int, actor, text, *, client_id: str = ""):
    """Save a chat message, then broadcast it; a repeated client_id returns the first copy."""
    text = _clean_text(text, field="text")
    if connection.vendor == "postgresql":
        event = _append_message_in_one_statement(room_id, actor, text, client_id)
        if event is not None:
            return event
    return _post_message_checked(room_id, actor, text, client_id)


def _post_message_checked(room_id: int, actor, text: str, client_id: str):
    """The general path, which also explains a refusal or returns the earlier copy."""
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_speaking_allowed(room, actor)
        if client_id:
            earlier = RoomEvent.objects.filter(room=room, author=actor, client_id=client_id).first()
            if earlier is not None:
                earlier.repeated = True
                return earlier
        recent = RoomEvent.objects.filter(
            room=room, author=actor, kind="message", created_at__gt=_chat_window_start()
        )
        _require_within_chat_limit(recent.count())
        return _append(room, "message", {}, author=actor, text=text, client_id=client_id)


def _chat_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=CHAT_WINDOW)


def _require_within_chat_limit(recent: int) -> None:
    if recent >= CHAT_LIMIT:
        raise ActionRefused(
            "rate_limited",
            f"At most {CHAT_LIMIT} messages per {CHAT_WINDOW} seconds; wait a moment.",
        )


_APPEND_EVENT = """
WITH bumped AS (UPDATE {room} SET last_seq = %(seq)s WHERE id = %(room)s)
INSERT INTO {event}
    (room_id, seq, kind, author_id, text, client_id, payload, created_at, hidden_reason,
     is_synthetic)
VALUES (%(room)s, %(seq)s, %(kind)s, %(author)s, %(text)s, %(client_id)s, %(payload)s::jsonb,
        %(now)s, '', false)
RETURNING id
"""


@functools.cache
def _statement(template: str) -> str:
    """A room statement with its table names filled in, once per process."""
    quote = connection.ops.quote_name
    return template.format(
        room=quote(Room._meta.db_table),
        moderation=quote(ModerationAction._meta.db_table),
        event=quote(RoomEvent._meta.db_table),
    )


def _event_params(event: RoomEvent) -> dict:
    return {
        "room": event.room_id,
        "seq": event.seq,
        "kind": event.kind,
        "author": event.author_id,
        "text": event.text,
        "client_id": event.client_id,
        "payload": json.dumps(event.payload, ensure_ascii=False),
        "now": event.created_at,
    }


_ONE_STATEMENT_MESSAGE = """
WITH bumped AS (
    UPDATE {room} SET last_seq = last_seq + 1
    WHERE id = %(room)s
      AND NOT EXISTS (
        SELECT 1 FROM {moderation}
        WHERE room_id = %(room)s AND target_id = %(author)s
          AND (kind = %(remove)s OR (kind = %(mute)s AND until > %(now)s))
      )
      AND NOT EXISTS (
        SELECT 1 FROM {event}
        WHERE room_id = %(room)s AND author_id = %(author)s
          AND client_id = %(client_id)s AND client_id <> ''
      )
      AND (
        SELECT count(*) FROM {event}
        WHERE room_id = %(room)s AND author_id = %(author)s AND kind = 'message'
          AND created_at > %(since)s
      ) < %(limit)s
    RETURNING last_seq
)
INSERT INTO {event}
    (room_id, seq, kind, author_id, text, client_id, payload, created_at, hidden_reason,
     is_synthetic)
SELECT %(room)s, last_seq, 'message', %(author)s, %(text)s, %(client_id)s, '{{}}'::jsonb,
       %(now)s, '', false
FROM bumped
RETURNING id, seq
"""


def _append_message_in_one_statement(room_id: int, actor, text: str, client_id: str):
    """PostgreSQL's path for the busiest write: the sanction check, the duplicate check,
    the rate limit, the next sequence number and the insert in one statement, which is its own
    transaction — one round trip and one commit instead of seven. The UPDATE locks the
    room row exactly as _lock_room does, so sequence numbers stay gap-free. None when
    the message is refused or already stored: the general path then says why."""
    now = timezone.now()
    sql = _statement(_ONE_STATEMENT_MESSAGE)
    params = _one_statement_params(room_id, actor, text, client_id, now)
    # Outside a transaction the statement commits by itself; inside one (a caller's
    # atomic block) a savepoint keeps a unique-constraint failure from spoiling it.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with savepoint, connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    except IntegrityError:
        # The same client_id stored by a concurrent request: nothing was written here.
        return None
    if row is None:
        return None
    event = _stored_message(row, room_id, actor, text, client_id, now)
    _broadcast_on_commit(f"room.{room_id}", event)
    return event


def _one_statement_params(room_id: int, actor, text: str, client_id: str, now) -> dict:
    return {
        "room": room_id,
        "author": actor.pk,
        "text": text,
        "client_id": client_id,
        "now": now,
        "since": now - datetime.timedelta(seconds=CHAT_WINDOW),
        "limit": CHAT_LIMIT,
        "remove": ModerationAction.Kind.REMOVE.value,
        "mute": ModerationAction.Kind.MUTE.value,
    }


def _stored_message(row, room_id: int, actor, text: str, client_id: str, now) -> RoomEvent:
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


async def ado_post_message(room_id: int, actor, text, *, client_id: str = ""):
    """do_post_message for a consumer on PostgreSQL, run on the event loop.

    The same single statement goes through the worker's own async connection, so the
    busiest write takes no trip to a thread and no health check; it commits by itself,
    and the broadcast follows. When the statement stores nothing (a refusal, or a copy
    already stored) the general path runs in a thread to say why.
    """
    text = _clean_text(text, field="text")
    now = timezone.now()
    row = await async_connection.fetch_one(
        _statement(_ONE_STATEMENT_MESSAGE),
        _one_statement_params(room_id, actor, text, client_id, now),
    )
    if row is None:
        return await database_sync_to_async(_post_message_checked)(room_id, actor, text, client_id)
    event = _stored_message(row, room_id, actor, text, client_id, now)
    message = _broadcast_message(event)
    hub = current_hub()
    layer = get_channel_layer()
    try:
        if hub is not None:
            await hub.publish(room_id, message)
        elif layer is not None:
            await layer.group_send(f"room.{room_id}", message)
    except Exception:
        logger.exception("broadcast to room.%s failed", room_id)
    return event


def do_hide_message(room_id: int, actor, seq, reason) -> None:
    seq = _clean_int(seq, field="seq", low=1, high=2**62)
    reason = _clean_reason(reason)
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        message = RoomEvent.objects.filter(room=room, seq=seq, kind="message").first()
        if message is None:
            raise ActionRefused("invalid", "No message with this sequence number.")
        if message.hidden_at is not None:
            raise ActionRefused("invalid", "This message is already hidden.")
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
        return _append(room, "message_hidden", {"target_seq": seq}, author=actor)


def do_mute(room_id: int, actor, user_id, minutes, reason) -> None:
    minutes = _clean_int(minutes, field="minutes", low=1, high=MAX_MUTE_MINUTES)
    reason = _clean_reason(reason)
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        target = _participant(room, user_id)
        until = timezone.now() + datetime.timedelta(minutes=minutes)
        ModerationAction.objects.create(
            room=room,
            actor=actor,
            kind=ModerationAction.Kind.MUTE,
            target=target,
            reason=reason,
            until=until,
        )
        return _append(
            room, "moderation", {"action": "mute", "user": person(target), "until": iso(until)}
        )


def do_remove(room_id: int, actor, user_id, reason) -> None:
    """Remove a participant: logged, announced, their connections closed, re-entry refused."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        target = _participant(room, user_id)
        ModerationAction.objects.create(
            room=room,
            actor=actor,
            kind=ModerationAction.Kind.REMOVE,
            target=target,
            reason=reason,
        )
        event = _append(
            room, "moderation", {"action": "remove", "user": person(target), "until": None}
        )
        raised = HandRaise.objects.filter(room=room, user=target).delete()[0]
        if room.speaker_id == target.pk:
            Room.objects.filter(pk=room.pk).update(speaker=None, speaker_until=None)
            room.speaker, room.speaker_until = None, None
            raised = True
        if raised:
            _append(room, "queue", queue_state(room))
        group = user_channel_group(room.pk, target.pk)
        transaction.on_commit(lambda: broadcast(group, {"type": "room.kick"}))
        return event


def do_set_phase(room_id: int, actor, phase) -> None:
    if phase not in Room.Phase.values:
        raise ActionRefused("invalid", f"'phase' must be one of {', '.join(Room.Phase.values)}.")
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        room.phase = phase
        Room.objects.filter(pk=room.pk).update(phase=phase)
        return _append(room, "phase", phase_state(room))


def do_start_timer(room_id: int, actor, seconds, label) -> None:
    """Store the deadline, not the remaining time, so reloads and late joiners agree."""
    seconds = _clean_int(seconds, field="seconds", low=1, high=MAX_TIMER_SECONDS)
    label = _clean_reason(label)[:100]
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        room.timer_ends_at = timezone.now() + datetime.timedelta(seconds=seconds)
        room.timer_label = label
        Room.objects.filter(pk=room.pk).update(timer_ends_at=room.timer_ends_at, timer_label=label)
        return _append(room, "timer", timer_state(room))


def do_stop_timer(room_id: int, actor) -> None:
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        room.timer_ends_at, room.timer_label = None, ""
        Room.objects.filter(pk=room.pk).update(timer_ends_at=None, timer_label="")
        return _append(room, "timer", timer_state(room))


def do_raise_hand(room_id: int, actor) -> None:
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_speaking_allowed(room, actor)
        if room.speaker_id == actor.pk:
            raise ActionRefused("invalid", "You have the floor already.")
        _, created = HandRaise.objects.get_or_create(room=room, user=actor)
        if not created:
            raise ActionRefused("invalid", "Your hand is already raised.")
        return _append(room, "queue", queue_state(room))


def do_lower_hand(room_id: int, actor, user_id=None) -> None:
    """Lower one's own hand; the facilitator may lower anyone's."""
    with transaction.atomic():
        room = _lock_room(room_id)
        target_id = actor.pk
        if user_id is not None and user_id != actor.pk:
            _require_runner(room, actor)
            target_id = user_id
        if not HandRaise.objects.filter(room=room, user_id=target_id).delete()[0]:
            raise ActionRefused("invalid", "This hand is not raised.")
        return _append(room, "queue", queue_state(room))


def do_give_floor(room_id: int, actor, user_id, seconds) -> None:
    seconds = _clean_int(seconds, field="seconds", low=10, high=MAX_TURN_SECONDS)
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        speaker = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if speaker is None or not can_join_room(speaker, room):
            raise ActionRefused("invalid", "No such participant in this room.")
        room.speaker = speaker
        room.speaker_until = timezone.now() + datetime.timedelta(seconds=seconds)
        Room.objects.filter(pk=room.pk).update(speaker=speaker, speaker_until=room.speaker_until)
        HandRaise.objects.filter(room=room, user=speaker).delete()
        return _append(room, "queue", queue_state(room))


def do_end_floor(room_id: int, actor) -> None:
    """End the current turn: the facilitator or the speaker themself."""
    with transaction.atomic():
        room = _lock_room(room_id)
        if room.speaker_id is None:
            raise ActionRefused("invalid", "Nobody has the floor.")
        if room.speaker_id != actor.pk:
            _require_runner(room, actor)
        room.speaker, room.speaker_until = None, None
        Room.objects.filter(pk=room.pk).update(speaker=None, speaker_until=None)
        return _append(room, "queue", queue_state(room))


def do_ask_question(room_id: int, actor, text, *, client_id: str = ""):
    text = _clean_text(text, field="text")
    with transaction.atomic():
        room = _lock_room(room_id)
        if not room.is_plenary:
            raise ActionRefused("invalid", "Questions to experts are asked in the plenary.")
        _require_speaking_allowed(room, actor)
        recent = Question.objects.filter(
            room=room, author=actor, created_at__gt=_chat_window_start()
        )
        _require_within_chat_limit(recent.count())
        question = Question.objects.create(room=room, author=actor, text=text)
        return _append(room, "question", {"question": question_wire(question)})


def _question(room, question_id):
    if isinstance(question_id, bool) or not isinstance(question_id, int):
        raise ActionRefused("invalid", "'question_id' must be an integer.")
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("author", "answered_by")
        .filter(room=room, pk=question_id)
        .first()
    )
    if question is None:
        raise ActionRefused("invalid", "No such question in this room.")
    return question


def do_upvote_question(room_id: int, actor, question_id) -> None:
    """One upvote per person per question (a unique constraint backs the check)."""
    with transaction.atomic():
        room = _lock_room(room_id)
        question = _question(room, question_id)
        if question.status == Question.Status.ANSWERED:
            raise ActionRefused("invalid", "This question has been answered.")
        # The question row is locked, so no other upvote of it can slip in between.
        if QuestionVote.objects.filter(question=question, user=actor).exists():
            raise ActionRefused("already_voted", "You have upvoted this question.")
        QuestionVote.objects.create(question=question, user=actor)
        question.votes += 1
        Question.objects.filter(pk=question.pk).update(votes=models.F("votes") + 1)
        return _append(room, "question", {"question": question_wire(question)})


def do_pick_question(room_id: int, actor, question_id) -> None:
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        question = _question(room, question_id)
        if question.status != Question.Status.OPEN:
            raise ActionRefused("invalid", "Only a waiting question can be picked.")
        question.status = Question.Status.PICKED
        question.save(update_fields=["status"])
        return _append(room, "question", {"question": question_wire(question)})


def do_answer_question(room_id: int, actor, question_id, text) -> None:
    """The expert's answer; the question moves to the archive of answered questions."""
    text = _clean_text(text, field="text")
    with transaction.atomic():
        room = _lock_room(room_id)
        if not can_answer_in_room(actor, room):
            raise ActionRefused("forbidden", "Only an invited expert or the moderator answers.")
        question = _question(room, question_id)
        if question.status == Question.Status.ANSWERED:
            raise ActionRefused("invalid", "This question has been answered.")
        question.status = Question.Status.ANSWERED
        question.answer = text
        question.answered_by = actor
        question.answered_at = timezone.now()
        question.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        return _append(room, "question", {"question": question_wire(question)})


def do_open_poll(room_id: int, actor, question, options) -> None:
    question = _clean_text(question, field="question", max_bytes=900)[:300]
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= MAX_POLL_OPTIONS
        or not all(isinstance(o, str) and o.strip() for o in options)
    ):
        raise ActionRefused(
            "invalid", f"'options' must be a list of 2 to {MAX_POLL_OPTIONS} non-empty strings."
        )
    options = [option.strip()[:200] for option in options]
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        poll = Poll.objects.create(room=room, question=question, options=options, opened_by=actor)
        return _append(room, "poll", {"poll": poll_wire(poll)})


def _poll(room, poll_id):
    if isinstance(poll_id, bool) or not isinstance(poll_id, int):
        raise ActionRefused("invalid", "'poll_id' must be an integer.")
    poll = Poll.objects.select_for_update().filter(room=room, pk=poll_id).first()
    if poll is None:
        raise ActionRefused("invalid", "No such poll in this room.")
    return poll


def do_vote_poll(room_id: int, actor, poll_id, option) -> int:
    """One vote per person; results stay sealed until the poll closes, so nothing is sent."""
    with transaction.atomic():
        room = _lock_room(room_id)
        poll = _poll(room, poll_id)
        if poll.status != Poll.Status.OPEN:
            raise ActionRefused("invalid", "This poll is closed.")
        option = _clean_int(option, field="option", low=0, high=len(poll.options) - 1)
        try:
            with transaction.atomic():
                PollVote.objects.create(poll=poll, user=actor, option=option)
        except IntegrityError:
            raise ActionRefused("already_voted", "You have voted in this poll.") from None
    return option


def do_close_poll(room_id: int, actor, poll_id) -> None:
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        poll = _poll(room, poll_id)
        if poll.status != Poll.Status.OPEN:
            raise ActionRefused("invalid", "This poll is closed.")
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        return _append(room, "poll", {"poll": poll_wire(poll)})


def do_add_recommendation(room_id: int, actor, text) -> None:
    text = _clean_text(text, field="text")
    with transaction.atomic():
        room = _lock_room(room_id)
        _require_runner(room, actor)
        recommendation = Recommendation.objects.create(room=room, text=text, author=actor)
        return _append(
            room, "recommendation", {"recommendation": recommendation_wire(recommendation, 0)}
        )


def do_support_recommendation(room_id: int, actor, recommendation_id, support) -> None:
    """A participant shows (or withdraws) support for one recommendation of the synthesis."""
    if not isinstance(support, bool):
        raise ActionRefused("invalid", "'support' must be true or false.")
    if isinstance(recommendation_id, bool) or not isinstance(recommendation_id, int):
        raise ActionRefused("invalid", "'recommendation_id' must be an integer.")
    with transaction.atomic():
        room = _lock_room(room_id)
        recommendation = Recommendation.objects.filter(room=room, pk=recommendation_id).first()
        if recommendation is None:
            raise ActionRefused("invalid", "No such recommendation in this room.")
        if support:
            _, changed = RecommendationSupport.objects.get_or_create(
                recommendation=recommendation, user=actor
            )
        else:
            changed = bool(
                RecommendationSupport.objects.filter(
                    recommendation=recommendation, user=actor
                ).delete()[0]
            )
        if not changed:
            raise ActionRefused("invalid", "Nothing to change.")
        supporters = recommendation.supports.count()
        return _append(
            room,
            "recommendation",
            {"recommendation": recommendation_wire(recommendation, supporters)},
        )


def do_join_room(room_id: int, user, channel_name: str):
    """Record attendance; announce the user when this is their first live connection."""
    with transaction.atomic():
        already = any(p["id"] == user.pk for p in present_users(room_id))
        attendance = Attendance.objects.create(
            room_id=room_id, user=user, channel_name=channel_name
        )
    if not already:
        _announce_presence(room_id, user, present=True)
    return attendance


def do_leave_room(attendance_id: int) -> None:
    attendance = Attendance.objects.select_related("user").filter(pk=attendance_id).first()
    if attendance is None or attendance.left_at is not None:
        return
    now = timezone.now()
    Attendance.objects.filter(pk=attendance_id).update(left_at=now, last_seen_at=now)
    if not any(p["id"] == attendance.user_id for p in present_users(attendance.room_id)):
        _announce_presence(attendance.room_id, attendance.user, present=False)


def do_touch_attendance(attendance_id: int) -> None:
    Attendance.objects.filter(pk=attendance_id, left_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


def _announce_presence(room_id: int, user, *, present: bool) -> None:
    message = {
        "type": "room.presence",
        "room": room_id,
        "presence": {"type": "presence", "user": person(user), "present": present},
    }
    transaction.on_commit(lambda: broadcast(f"room.{room_id}", message))


# Group allocation -------------------------------------------------------------------


def allocation_candidates(session: Session) -> list[Panelist]:
    """The deliberation's panelists who are still taking part, in a stable order."""
    return list(
        Panelist.objects.filter(deliberation_id=session.deliberation_id)
        .exclude(status__in=[Panelist.Status.DECLINED, Panelist.Status.DROPPED])
        .order_by("pseudonym")
    )


def do_allocate_groups(session: Session, *, actor, group_count: int | None = None, seed: int = 0):
    """Re-allocate the panel to the session's groups so each mixes regions, genders, ages.

    With no groups yet, ``group_count`` groups are created first. All memberships of the
    session's groups are replaced in one transaction.
    """
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        groups = list(ForumGroup.objects.filter(session=locked).order_by("name"))
        if not groups:
            if not group_count or group_count < 1:
                raise ValueError("the session has no groups; give a group count")
            ForumGroup.objects.bulk_create(
                [ForumGroup(session=locked, name=f"{i:02d}조") for i in range(1, group_count + 1)]
            )
            groups = list(ForumGroup.objects.filter(session=locked).order_by("name"))
        panelists = allocation_candidates(locked)
        codes = (
            encode(
                [
                    [p.region for p in panelists],
                    [p.gender for p in panelists],
                    [p.age_band for p in panelists],
                ]
            )
            if panelists
            else None
        )
        assignment = allocate(codes, len(groups), seed=seed) if codes is not None else []
        Through = ForumGroup.members.through
        Through.objects.filter(forumgroup__session=locked).delete()
        Through.objects.bulk_create(
            [
                Through(forumgroup_id=groups[int(g)].pk, user_id=p.user_id)
                for p, g in zip(panelists, assignment, strict=True)
            ]
        )
        transaction.on_commit(
            lambda: logger.info(
                "session %s: %d panelists allocated to %d groups by %s",
                locked.pk,
                len(panelists),
                len(groups),
                getattr(actor, "pk", None),
            )
        )
    return groups


def do_move_member(session: Session, *, user_id: int, group_id: int, actor) -> ForumGroup:
    """Move one panelist to another group of the same session (by hand, after allocation)."""
    with transaction.atomic():
        target = ForumGroup.objects.select_for_update().get(pk=group_id, session=session)
        if not Panelist.objects.filter(
            deliberation_id=session.deliberation_id, user_id=user_id
        ).exists():
            raise ValueError("not a panelist of this deliberation")
        Through = ForumGroup.members.through
        Through.objects.filter(forumgroup__session=session, user_id=user_id).delete()
        Through.objects.create(forumgroup_id=target.pk, user_id=user_id)
        transaction.on_commit(
            lambda: logger.info(
                "user %s moved to group %s by %s", user_id, target.pk, getattr(actor, "pk", None)
            )
        )
    return target


def do_add_material(session: Session, *, actor, **fields) -> Material:
    with transaction.atomic():
        material = Material(session=session, **fields)
        material.full_clean()
        material.save()
    return material
