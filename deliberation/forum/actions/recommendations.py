"""A group's recommendations in its synthesis, and the participants' support for each."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from deliberation.core import audit
from deliberation.core.actions import ActionRefused
from deliberation.forum.actions.fields import clean_id, clean_text
from deliberation.forum.actions.room_log import append_event, lock_room, require_runner
from deliberation.forum.models import GroupRecommendation, GroupRecommendationSupport, RoomEvent
from deliberation.forum.wire import recommendation_wire


def do_add_recommendation(room_id: int, actor: Any, text: Any) -> RoomEvent:
    text = clean_text(text, field="text")
    with transaction.atomic():
        room = lock_room(room_id, actor)
        require_runner(room, actor)
        recommendation = GroupRecommendation.objects.create(room=room, text=text, author=actor)
        audit.record(
            "recommendation.added",
            actor=actor,
            deliberation=room.session.deliberation_id,
            obj=recommendation,
            label=str(room),
            extra={"text": text},
        )
        return append_event(
            room, "recommendation", {"recommendation": recommendation_wire(recommendation, 0)}
        )


def do_support_recommendation(
    room_id: int, actor: Any, recommendation_id: Any, support: Any
) -> RoomEvent:
    """A participant shows (or withdraws) support for one recommendation of the synthesis."""
    if not isinstance(support, bool):
        raise ActionRefused("invalid", "'support' must be true or false.")
    recommendation_id = clean_id(recommendation_id, field="recommendation_id")
    with transaction.atomic():
        room = lock_room(room_id, actor)
        recommendation = GroupRecommendation.objects.filter(room=room, pk=recommendation_id).first()
        if recommendation is None:
            raise ActionRefused(
                "invalid", "No such recommendation in this room.", reason="no_recommendation"
            )
        if support:
            _, changed = GroupRecommendationSupport.objects.get_or_create(
                recommendation=recommendation, user=actor
            )
        else:
            changed = bool(
                GroupRecommendationSupport.objects.filter(
                    recommendation=recommendation, user=actor
                ).delete()[0]
            )
        if not changed:
            raise ActionRefused("invalid", "Nothing to change.", reason="nothing_to_change")
        supporters = recommendation.supports.count()
        return append_event(
            room,
            "recommendation",
            {"recommendation": recommendation_wire(recommendation, supporters)},
        )
