"""Every field of a room frame has one type: a boolean is not an id, nothing is stored."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from deliberation.forum.models import HandRaise, ModerationAction, Room
from tests.deliberation.forum.room_helpers import join, receive, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "floor_give", "user_id": True, "seconds": 60},
        {"type": "floor_give", "user_id": "1", "seconds": 60},
        {"type": "floor_give", "user_id": 1.0, "seconds": 60},
        {"type": "hand_lower", "user_id": True},
        {"type": "mute", "user_id": True, "minutes": 5, "reason": "x"},
        {"type": "remove", "user_id": [1], "reason": "x"},
        {"type": "floor_give", "user_id": 2, "seconds": True},
        {"type": "message_hide", "seq": True, "reason": "x"},
        {"type": "question_upvote", "question_id": True},
        {"type": "poll_vote", "poll_id": True, "option": 0},
        {"type": "recommendation_support", "recommendation_id": True, "support": True},
        {"type": "recommendation_support", "recommendation_id": 1, "support": 1},
        {"type": "resume", "last_seq": True},
    ],
)
async def test_a_field_of_the_wrong_type_is_refused_and_changes_nothing(forum, frame):
    facilitator = await join(forum.facilitator, forum.room.pk)
    await send(facilitator, {**frame, "client_id": "c1"})
    error = await receive(facilitator, "error")
    assert error["code"] == "invalid" and error["client_id"] == "c1"
    room = await database_sync_to_async(Room.objects.get)(pk=forum.room.pk)
    assert room.speaker_id is None and room.last_seq == 0
    assert not await database_sync_to_async(ModerationAction.objects.exists)()
    assert not await database_sync_to_async(HandRaise.objects.exists)()
    await facilitator.disconnect()
