"""Helpers for live-room tests: signed-in websocket clients against the real ASGI app."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application

TIMEOUT = 5


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(
    user,
    room_id: int,
    *,
    last_seq: int | None = None,
    origin="http://testserver",
    host="testserver",
    extra_headers=(),
):
    """Connect as ``user``; returns the communicator with the handshake done."""
    headers = [(b"origin", origin.encode()), (b"host", host.encode()), *extra_headers]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    path = f"/ws/rooms/{room_id}/"
    if last_seq is not None:
        path += f"?last_seq={last_seq}"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    communicator.accepted = connected
    return communicator


async def join(user, room_id: int, **kwargs):
    """Connect and read the welcome frame."""
    communicator = await open_socket(user, room_id, **kwargs)
    assert communicator.accepted
    welcome = await receive(communicator, "welcome")
    communicator.welcome = welcome
    return communicator


async def receive(communicator, *types: str, timeout: float = TIMEOUT) -> dict:
    """The next frame of one of ``types``, skipping presence and others."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if not types or frame["type"] in types:
            return frame


async def send(communicator, frame: dict | str) -> None:
    await communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))


async def close_code(communicator) -> int:
    """The close code of a refused or ended connection."""
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output.get("code")


async def drain(communicator, seconds: float = 0.3) -> list[dict]:
    """Every frame that arrives within ``seconds`` (without ending the connection)."""
    frames = []
    while not await communicator.receive_nothing(timeout=seconds):
        frames.append(json.loads(await communicator.receive_from(timeout=TIMEOUT)))
    return frames


async def receive_matching(communicator, kind: str, predicate) -> dict:
    """The next frame of type ``kind`` for which ``predicate(frame)`` holds."""
    while True:
        frame = await receive(communicator, kind)
        if predicate(frame):
            return frame
