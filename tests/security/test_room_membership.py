"""Membership is checked on every action, and losing it closes the old room's sockets."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from deliberation.forum import actions
from deliberation.forum.models import ForumGroup, RoomEvent
from deliberation.forum.protocol import CLOSE_FORBIDDEN
from panels import actions as panel_actions
from panels.models import Panelist
from tests.deliberation.forum.room_helpers import close_code, join, receive, send
from tests.factories import ForumGroupFactory, PanelistFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seated(forum):
    """Alice with a seat on the panel of the forum's deliberation, and a second group."""
    deliberation = forum.group.session.deliberation
    PanelistFactory(deliberation=deliberation, user=forum.alice, status="confirmed")
    forum.other = ForumGroupFactory(session=forum.group.session)
    return forum


def messages(room_id):
    return list(
        RoomEvent.objects.filter(room_id=room_id, kind="message").values_list("text", flat=True)
    )


async def test_a_panelist_moved_to_another_group_loses_the_old_room_at_once(seated):
    forum = seated
    alice = await join(forum.alice, forum.room.pk)
    await database_sync_to_async(actions.do_move_member)(
        forum.group.session, user_id=forum.alice.pk, group_id=forum.other.pk, actor=None
    )
    assert await close_code(alice) == CLOSE_FORBIDDEN
    stored = await database_sync_to_async(messages)(forum.room.pk)
    assert stored == []
    new_room = await database_sync_to_async(lambda: forum.other.room.pk)()
    again = await join(forum.alice, new_room)  # the new group's room admits her
    await again.disconnect()


async def test_a_frame_after_the_membership_changed_underneath_is_refused(seated):
    forum = seated
    alice = await join(forum.alice, forum.room.pk)

    def leave_quietly():  # a change that sends no notice to the socket
        ForumGroup.members.through.objects.filter(user_id=forum.alice.pk).delete()

    await database_sync_to_async(leave_quietly)()
    await send(alice, {"type": "hand_raise", "client_id": "h1"})
    assert (await receive(alice, "error"))["code"] == "revoked"
    assert await close_code(alice) == CLOSE_FORBIDDEN


def test_a_message_sent_with_the_access_of_before_a_move_is_refused(seated):
    forum = seated
    admitted_under = forum.room.access_version
    group = ForumGroup.objects.get(pk=forum.group.pk)
    group.members.remove(forum.alice)  # by hand, in the admin
    forum.room.refresh_from_db()
    assert forum.room.access_version > admitted_under
    with pytest.raises(actions.ActionRefused) as refused:
        actions.do_post_message(
            forum.room.pk, forum.alice, "still here?", access_version=admitted_under
        )
    assert refused.value.code == "revoked"
    assert messages(forum.room.pk) == []


async def test_a_declined_seat_closes_the_group_room_and_the_plenary(seated, plenary):
    forum = seated
    alice = await join(forum.alice, forum.room.pk)
    seat = await database_sync_to_async(Panelist.objects.get)(user=forum.alice)
    await database_sync_to_async(panel_actions.do_set_panelist_status)(
        seat, Panelist.Status.DECLINED, actor=None
    )
    assert await close_code(alice) == CLOSE_FORBIDDEN


async def test_a_reallocation_closes_the_rooms_only_of_those_whose_group_changed(seated):
    forum = seated
    bob = await join(forum.bob, forum.room.pk)

    def reallocate():
        actions.do_allocate_groups(forum.group.session, actor=None, seed=1)

    await database_sync_to_async(reallocate)()
    still_member = await database_sync_to_async(
        ForumGroup.objects.filter(pk=forum.group.pk, members=forum.bob).exists
    )()
    if still_member:
        await send(bob, {"type": "ping", "client_id": "p"})
        assert (await receive(bob, "pong"))["client_id"] == "p"
        await bob.disconnect()
    else:
        assert await close_code(bob) == CLOSE_FORBIDDEN
