"""Statements and votes for the room's opinion map (docs/opinion-map.md), and the live map.

What is broadcast, so that votes never flood a room of 300:

- a submitted statement waits for moderation and is seen only by whoever runs the room and
  by its author (frame ``statement_review``, to the runners' and the author's channels);
- an accepted statement is a room event (``statement``), as is turning statements on or
  off in a group room (``statements``);
- a rejection goes to the runners and the author only, with its reason (``statement_review``);
- a vote is answered to the voter alone (the ``ack`` carries the next statement to show);
  the tallies and the map go to the room together in the frame ``opinion_map``, recomputed
  at most once per ``MAP_INTERVAL`` seconds while votes arrive (``live_map``).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from deliberation.core import audit
from deliberation.core.access import has_role
from deliberation.core.actions import ActionRefused
from deliberation.core.roles import Role
from deliberation.forum.access import can_join_room, can_run_room
from deliberation.forum.actions.fields import clean_id, clean_reason, clean_text
from deliberation.forum.actions.moderation import require_speaking_allowed
from deliberation.forum.actions.room_log import (
    append_event,
    broadcast,
    lock_room,
    require_runner,
)
from deliberation.forum.channel_groups import addressed, room_group
from deliberation.forum.models import OpinionMapSnapshot, Room, RoomEvent, Statement, StatementVote
from deliberation.forum.opinion_map import KSmoother, OpinionMap, compute_opinion_map
from deliberation.forum.protocol import (
    MAX_MESSAGE_BYTES,
    MAX_STATEMENT_CHARS,
    STATEMENT_LIMIT,
    STATEMENT_WINDOW,
)
from deliberation.forum.selectors import VoteMatrix, latest_opinion_map, room_vote_matrix
from deliberation.forum.wire import (
    accepted_vote_counts,
    opinion_map_wire,
    pick_next_statement,
    statement_wire,
)

logger = logging.getLogger(__name__)

VOTES = (1, -1, 0)


def _require_statements_on(room: Room) -> None:
    if not room.statements_on:
        raise ActionRefused(
            "invalid", "Statements are not on in this room.", reason="statements_off"
        )


def _frame_message(room_id: int, frame: dict) -> dict:
    return {"type": "room.frame", "room": room_id, "frame": frame}


def _review_on_commit(statement: Statement) -> None:
    """The statement's whole state to the people running the room and to its author."""
    frame = {"type": "statement_review", "statement": statement_wire(statement, review=True)}
    author = [statement.author_id] if statement.author_id is not None else []
    message = addressed(_frame_message(statement.room_id, frame), users=author, runners=True)
    group = room_group(statement.room_id)
    transaction.on_commit(lambda: broadcast(group, message))


def clean_statement(text: Any) -> str:
    """A statement's text: non-empty, at most MAX_STATEMENT_CHARS characters; refused, not
    cut, when longer (its author should say it shorter, not lose its end)."""
    text = clean_text(text, field="text", max_bytes=MAX_MESSAGE_BYTES)
    if len(text) > MAX_STATEMENT_CHARS:
        raise ActionRefused(
            "too_large",
            f"A statement is at most {MAX_STATEMENT_CHARS} characters.",
            reason="statement_too_long",
            params={"max": MAX_STATEMENT_CHARS},
        )
    return text


def do_submit_statement(room_id: int, actor: Any, text: Any) -> Statement:
    """A participant's statement, waiting for moderation; at most STATEMENT_LIMIT per
    STATEMENT_WINDOW seconds, counted from what the room stored. Whoever runs the room
    may seed the conversation with statements of their own, without that limit."""
    text = clean_statement(text)
    with transaction.atomic():
        room = lock_room(room_id, actor)
        _require_statements_on(room)
        require_speaking_allowed(room, actor)
        since = timezone.now() - datetime.timedelta(seconds=STATEMENT_WINDOW)
        recent = Statement.objects.filter(room=room, author=actor, created_at__gt=since)
        if not can_run_room(actor, room) and recent.count() >= STATEMENT_LIMIT:
            raise ActionRefused(
                "rate_limited",
                f"At most {STATEMENT_LIMIT} statements per {STATEMENT_WINDOW} seconds.",
                reason="statement_rate",
                params={"limit": STATEMENT_LIMIT, "seconds": STATEMENT_WINDOW},
            )
        statement = Statement.objects.create(room=room, author=actor, text=text)
        _review_on_commit(statement)
        return statement


def do_moderate_statement(
    room_id: int, actor: Any, statement_id: Any, decision: Any, reason: Any = None
) -> Statement | RoomEvent:
    """Accept (a room event: everyone may now vote on it) or reject with a reason, kept and
    shown to the author and the moderators. Only a waiting statement is moderated."""
    statement_id = clean_id(statement_id, field="statement_id")
    if decision not in ("accept", "reject"):
        raise ActionRefused(
            "invalid", "'decision' must be 'accept' or 'reject'.", reason="bad_decision"
        )
    reason = clean_reason(reason)
    if decision == "reject" and not reason:
        raise ActionRefused(
            "invalid",
            "A rejection needs its reason.",
            reason="empty_text",
            params={"field": "reason"},
        )
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        statement = (
            Statement.objects.select_for_update(of=("self",))
            .select_related("author__profile")
            .filter(room=room, pk=statement_id)
            .first()
        )
        if statement is None:
            raise ActionRefused("invalid", "No such statement in this room.", reason="no_statement")
        if statement.status != Statement.Status.PENDING:
            raise ActionRefused(
                "invalid", "This statement has been moderated.", reason="statement_moderated"
            )
        statement.status = (
            Statement.Status.ACCEPTED if decision == "accept" else Statement.Status.REJECTED
        )
        statement.rejection_reason = reason if decision == "reject" else ""
        statement.moderated_by = actor
        statement.moderated_at = timezone.now()
        statement.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
        audit.record(
            "statement.moderated",
            actor=actor,
            deliberation=room.session.deliberation_id,
            obj=statement,
            label=str(room),
            extra={"decision": decision, "reason": reason, "text": statement.text},
        )
        _review_on_commit(statement)
        if decision == "accept":
            return append_event(room, "statement", {"statement": statement_wire(statement)})
        return statement


def do_vote_statement(room_id: int, actor: Any, statement_id: Any, value: Any) -> dict:
    """The panelist's vote on an accepted statement, once per statement: a second vote
    replaces the first. Nothing is broadcast; the live map carries the tallies. Returns the
    vote and the next statement to show the voter (None when they have voted on all)."""
    statement_id = clean_id(statement_id, field="statement_id")
    if isinstance(value, bool) or value not in VOTES:
        raise ActionRefused(
            "invalid", "'vote' must be 1 (agree), -1 (disagree) or 0 (pass).", reason="bad_vote"
        )
    room = Room.objects.select_related("group__session", "session").filter(pk=room_id).first()
    if room is None:
        raise ActionRefused("not_found", "This room does not exist.")
    if not can_join_room(actor, room):
        raise ActionRefused("revoked", "You are no longer a participant of this room.")
    _require_statements_on(room)
    if can_run_room(actor, room) or not has_role(actor, Role.PANELIST):
        raise ActionRefused(
            "forbidden", "Only panelists vote on statements.", reason="panelists_only"
        )
    with transaction.atomic():
        statement = (
            Statement.objects.select_for_update()
            .filter(room=room, pk=statement_id, status=Statement.Status.ACCEPTED)
            .first()
        )
        if statement is None:
            raise ActionRefused(
                "invalid", "No accepted statement with this id here.", reason="no_statement"
            )
        now = timezone.now()
        # The statement row is locked: no other vote on it can slip in between.
        changed = StatementVote.objects.filter(statement=statement, voter=actor).update(
            value=value, updated_at=now
        )
        if not changed:
            try:
                with transaction.atomic():
                    StatementVote.objects.create(
                        statement=statement,
                        voter=actor,
                        value=value,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                StatementVote.objects.filter(statement=statement, voter=actor).update(
                    value=value, updated_at=now
                )
    counts = accepted_vote_counts(room.pk)
    voted = StatementVote.objects.filter(statement__room=room, voter=actor).values_list(
        "statement_id", flat=True
    )
    next_id = pick_next_statement(counts, voted, seed=room.opinion_seed, user_id=actor.pk)
    next_statement = Statement.objects.filter(pk=next_id).first() if next_id else None
    return {
        "statement_id": statement.pk,
        "vote": value,
        "next": statement_wire(next_statement) if next_statement else None,
    }


def do_toggle_statements(room_id: int, actor: Any, enabled: Any) -> RoomEvent:
    """The facilitator turns statements on or off in a group room (a plenary has them on)."""
    if not isinstance(enabled, bool):
        raise ActionRefused("invalid", "'enabled' must be true or false.", reason="bad_enabled")
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        if room.is_plenary:
            raise ActionRefused(
                "invalid", "The plenary always has statements.", reason="plenary_statements"
            )
        if room.statements_enabled == enabled:
            raise ActionRefused(
                "invalid", "Statements are already as asked.", reason="nothing_to_change"
            )
        room.statements_enabled = enabled
        Room.objects.filter(pk=room.pk).update(statements_enabled=enabled)
        audit.record(
            "statements.toggled",
            actor=actor,
            deliberation=room.session.deliberation_id,
            obj=room,
            label=str(room),
            extra={"enabled": enabled},
        )
        return append_event(room, "statements", {"enabled": enabled})


# The live map -----------------------------------------------------------------------


def compute_room_map(matrix: VoteMatrix, *, seed: int, previous_k: KSmoother | None) -> OpinionMap:
    """The map of a room's votes: Polis's method, seeded by the room."""
    return compute_opinion_map(
        matrix.participants, matrix.statements, matrix.votes, seed=seed, previous_k=previous_k
    )


def tallies(matrix: VoteMatrix) -> dict[str, list[int]]:
    """Every accepted statement's [agree, disagree, pass]."""
    out = {str(pk): [0, 0, 0] for pk in matrix.statements}
    for _, statement_id, value in matrix.triples():
        out[str(statement_id)][{1: 0, -1: 1, 0: 2}[value]] += 1
    return out


def do_refresh_opinion_map(room_id: int) -> OpinionMapSnapshot | None:
    """Compute the room's map from its votes, keep it and send it to the room: called off
    the event loop (``live_map``). None when the votes have not changed since the last map.

    The computation holds no lock; the map is stored under the room's row lock only if no
    map of later votes was stored meanwhile (by another worker process).
    """
    room = Room.objects.filter(pk=room_id).first()
    if room is None or not room.statements_on:
        return None
    matrix = room_vote_matrix(room_id)
    latest = latest_opinion_map(room_id)
    if matrix.vote_count == 0:
        return None
    if (
        latest is not None
        and latest.vote_count == matrix.vote_count
        and latest.votes_through == matrix.votes_through
    ):
        return None
    smoother = latest.result["summary"].get("k_smoother") if latest else None
    previous_k = KSmoother(**smoother) if smoother else None
    opinion_map = compute_room_map(matrix, seed=room.opinion_seed, previous_k=previous_k)
    with transaction.atomic():
        Room.objects.select_for_update().filter(pk=room_id).first()
        newest = latest_opinion_map(room_id)
        if (
            newest is not None
            and (latest is None or newest.pk != latest.pk)
            and newest.votes_through is not None
            and matrix.votes_through is not None
            and newest.votes_through >= matrix.votes_through
        ):
            return None
        snapshot = OpinionMapSnapshot.objects.create(
            room=room,
            seed=room.opinion_seed,
            parameters={
                "seed": room.opinion_seed,
                "previous_k": smoother,
            },
            result=opinion_map.to_dict(),
            tallies=tallies(matrix),
            vote_count=matrix.vote_count,
            votes_through=matrix.votes_through,
        )
        message = _frame_message(room_id, opinion_map_wire(snapshot))
        transaction.on_commit(lambda: broadcast(room_group(room_id), message))
    return snapshot
