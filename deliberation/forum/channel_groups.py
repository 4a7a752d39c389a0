"""The names of a room's channel groups, built in one place."""


def room_group(room_id: int) -> str:
    """Everyone connected to the room (through the room hub, one member per worker)."""
    return f"room.{room_id}"


def user_group(room_id: int, user_id: int) -> str:
    """One user's connections to the room: a removal closes them all."""
    return f"room.{room_id}.user.{user_id}"


def runners_group(room_id: int) -> str:
    """The connections of whoever runs the room: statements waiting for moderation."""
    return f"room.{room_id}.runners"
