"""Questions to the experts in the plenary: asked, upvoted, picked, answered."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum.access import can_answer_in_room
from deliberation.forum.actions.fields import clean_id, clean_text
from deliberation.forum.actions.moderation import require_speaking_allowed
from deliberation.forum.actions.rate_limit import chat_window_start, require_within_chat_limit
from deliberation.forum.actions.room_log import append_event, lock_room, require_runner
from deliberation.forum.models import ExpertQuestion, ExpertQuestionVote, Room, RoomEvent
from deliberation.forum.wire import question_wire


def do_ask_question(room_id: int, actor: Any, text: Any, *, client_id: str = "") -> RoomEvent:
    text = clean_text(text, field="text")
    with transaction.atomic():
        room = lock_room(room_id, actor)
        if not room.is_plenary:
            raise ActionRefused(
                "invalid", "Questions to experts are asked in the plenary.", reason="plenary_only"
            )
        require_speaking_allowed(room, actor)
        recent = ExpertQuestion.objects.filter(
            room=room, author=actor, created_at__gt=chat_window_start()
        )
        require_within_chat_limit(recent.count())
        question = ExpertQuestion.objects.create(room=room, author=actor, text=text)
        return append_event(room, "question", {"question": question_wire(question)})


def question_for_update(room: Room, question_id: Any) -> ExpertQuestion:
    question_id = clean_id(question_id, field="question_id")
    question = (
        ExpertQuestion.objects.select_for_update(of=("self",))
        .select_related("author__profile", "answered_by__profile")
        .filter(room=room, pk=question_id)
        .first()
    )
    if question is None:
        raise ActionRefused("invalid", "No such question in this room.", reason="no_question")
    return question


def do_upvote_question(room_id: int, actor: Any, question_id: Any) -> RoomEvent:
    """One upvote per person per question (a unique constraint backs the check)."""
    with transaction.atomic():
        room = lock_room(room_id, actor)
        question = question_for_update(room, question_id)
        if question.status == ExpertQuestion.Status.ANSWERED:
            raise ActionRefused(
                "invalid", "This question has been answered.", reason="question_answered"
            )
        # The question row is locked, so no other upvote of it can slip in between.
        if ExpertQuestionVote.objects.filter(question=question, user=actor).exists():
            raise ActionRefused(
                "already_voted", "You have upvoted this question.", reason="already_upvoted"
            )
        ExpertQuestionVote.objects.create(question=question, user=actor)
        question.votes += 1
        ExpertQuestion.objects.filter(pk=question.pk).update(votes=models.F("votes") + 1)
        return append_event(room, "question", {"question": question_wire(question)})


def do_pick_question(room_id: int, actor: Any, question_id: Any) -> RoomEvent:
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        question = question_for_update(room, question_id)
        if question.status != ExpertQuestion.Status.OPEN:
            raise ActionRefused(
                "invalid", "Only a waiting question can be picked.", reason="question_not_open"
            )
        question.status = ExpertQuestion.Status.PICKED
        question.save(update_fields=["status"])
        return append_event(room, "question", {"question": question_wire(question)})


def do_answer_question(room_id: int, actor: Any, question_id: Any, text: Any) -> RoomEvent:
    """The expert's answer; the question moves to the archive of answered questions."""
    text = clean_text(text, field="text")
    with transaction.atomic():
        room = lock_room(room_id, actor)
        if not can_answer_in_room(actor, room):
            raise ActionRefused(
                "forbidden",
                "Only an invited expert or the moderator answers.",
                reason="answer_forbidden",
            )
        question = question_for_update(room, question_id)
        if question.status == ExpertQuestion.Status.ANSWERED:
            raise ActionRefused(
                "invalid", "This question has been answered.", reason="question_answered"
            )
        question.status = ExpertQuestion.Status.ANSWERED
        question.answer = text
        question.answered_by = actor
        question.answered_at = timezone.now()
        question.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        return append_event(room, "question", {"question": question_wire(question)})
