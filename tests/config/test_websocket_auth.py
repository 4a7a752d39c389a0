"""A websocket's user comes from its session cookie, with Django's checks, in one read
that does not queue for the thread of synchronous code on PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connection

from deliberation.forum.protocol import CLOSE_UNAUTHENTICATED
from tests.deliberation.forum.room_helpers import (
    close_code,
    join,
    open_socket,
    receive,
    session_cookie,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


async def test_the_session_cookie_names_the_user(forum):
    alice = await join(forum.alice, forum.room.pk)
    assert alice.welcome["you"]["id"] == forum.alice.pk
    await alice.disconnect()


async def test_no_cookie_is_anonymous_and_refused(forum):
    communicator = await open_socket(None, forum.room.pk)
    assert await close_code(communicator) == CLOSE_UNAUTHENTICATED


async def test_a_session_from_before_a_password_change_is_refused(forum):
    cookie = await database_sync_to_async(session_cookie)(forum.alice)

    def change_password():
        forum.alice.set_password("a new password for alice")
        forum.alice.save()

    await database_sync_to_async(change_password)()
    communicator = await open_socket(
        None, forum.room.pk, extra_headers=[(b"cookie", f"sessionid={cookie}".encode())]
    )
    assert await close_code(communicator) == CLOSE_UNAUTHENTICATED


async def test_signing_in_does_not_wait_for_the_thread_of_synchronous_code(forum):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's reads share the one thread")
    cookie = await database_sync_to_async(session_cookie)(forum.alice)

    def busy() -> None:
        time.sleep(3)

    # Synchronous code (a page, an action) holds the one thread for 3 seconds.
    blocker = asyncio.ensure_future(sync_to_async(busy, thread_sensitive=True)())
    await asyncio.sleep(0.1)
    started = time.monotonic()
    alice = await open_socket(
        None, forum.room.pk, extra_headers=[(b"cookie", f"sessionid={cookie}".encode())]
    )
    assert (await receive(alice, "welcome"))["you"]["id"] == forum.alice.pk
    assert time.monotonic() - started < 2.5
    await alice.disconnect()
    await blocker
