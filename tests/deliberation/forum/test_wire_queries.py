"""The room's welcome reads a fixed number of queries, however much the room holds."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.forum import actions as room_actions
from deliberation.forum.models import QuickPoll
from deliberation.forum.wire import snapshot


def _welcome_queries(forum) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        state = snapshot(forum.room, forum.alice, permissions={})
    return len(queries), state


def _closed_polls(forum, n: int) -> None:
    for k in range(n):
        room_actions.do_open_poll(forum.room.pk, forum.facilitator, f"질문 {k}", ["예", "아니오"])
        poll = QuickPoll.objects.filter(room=forum.room).latest("pk")
        room_actions.do_vote_poll(forum.room.pk, forum.alice, poll.pk, k % 2)
        room_actions.do_vote_poll(forum.room.pk, forum.bob, poll.pk, 0)
        room_actions.do_close_poll(forum.room.pk, forum.facilitator, poll.pk)


def test_the_welcome_counts_every_closed_poll_in_one_query(forum):
    _closed_polls(forum, 1)
    _welcome_queries(forum)  # reads and keeps the user's profile
    one, _ = _welcome_queries(forum)
    _closed_polls(forum, 11)
    twelve, state = _welcome_queries(forum)

    assert twelve == one
    results = [poll["results"] for poll in state["polls"]]
    assert results.count([2, 0]) == 7 and results.count([1, 1]) == 5
