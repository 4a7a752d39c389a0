"""The name of a room's channel group, and the addressing of what only some of it may see."""

from __future__ import annotations

from collections.abc import Iterable


def room_group(room_id: int) -> str:
    """Everyone connected to the room (through the room hub, one member per worker)."""
    return f"room.{room_id}"


def addressed(message: dict, *, users: Iterable[int] = (), runners: bool = False) -> dict:
    """``message`` for the listed users' connections (and, with ``runners``, for whoever
    runs the room) only: each connection drops what is not addressed to it."""
    return {**message, "to_users": sorted(set(users)), "to_runners": runners}


def is_addressed_to(message: dict, user_id: int, *, runs_room: bool) -> bool:
    """Whether a connection of ``user_id`` keeps ``message``; a message with no address
    is the whole room's."""
    if "to_users" not in message and "to_runners" not in message:
        return True
    return user_id in message.get("to_users", ()) or bool(runs_room and message.get("to_runners"))
