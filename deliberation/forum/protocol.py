"""The room protocol's limits and close codes (docs/websocket-protocol.md): one source.

The server enforces these and sends them to every client in its welcome (``limits``), so
the browser's checks can never drift from the server's.
"""

from __future__ import annotations

# Frames.
MAX_FRAME_BYTES = 8192
MAX_CLIENT_ID_CHARS = 64
# At most FRAME_LIMIT frames per FRAME_WINDOW seconds on one connection.
FRAME_LIMIT, FRAME_WINDOW = 40, 10

# Connections one person may hold open to one room at once (a phone, a laptop, a
# reloaded tab whose old connection has not closed yet).
MAX_CONNECTIONS_PER_USER = 5

# Texts.
MAX_MESSAGE_BYTES = 4096
MAX_REASON_CHARS = 300
MAX_TIMER_LABEL_CHARS = 100
MAX_POLL_QUESTION_BYTES = 900
MAX_POLL_QUESTION_CHARS = 300
MAX_POLL_OPTION_CHARS = 200
MAX_POLL_OPTIONS = 10

# At most CHAT_LIMIT messages (and as many expert questions) per participant and room in
# any CHAT_WINDOW seconds, counted from what is stored, so every connection and worker
# process counts together and a resent copy of a stored message does not count again.
CHAT_LIMIT, CHAT_WINDOW = 5, 10

# Statements (the opinion map): at most MAX_STATEMENT_CHARS characters; each participant
# submits at most STATEMENT_LIMIT per STATEMENT_WINDOW seconds in a room, counted from what
# is stored. The live map is recomputed at most once per MAP_INTERVAL seconds per room and
# worker process, while votes arrive.
MAX_STATEMENT_CHARS = 280
STATEMENT_LIMIT, STATEMENT_WINDOW = 3, 60
MAP_INTERVAL = 5

# Durations.
MAX_MUTE_MINUTES = 240
MAX_TURN_SECONDS = 1800
MAX_TIMER_SECONDS = 4 * 3600

# Close codes.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_REMOVED = 4408
CLOSE_TOO_MANY_CONNECTIONS = 4429

CLIENT_EVENTS = frozenset(
    {
        "message",
        "resume",
        "ping",
        "hand_raise",
        "hand_lower",
        "floor_give",
        "floor_end",
        "phase_set",
        "timer_start",
        "timer_stop",
        "message_hide",
        "mute",
        "remove",
        "question_ask",
        "question_upvote",
        "question_pick",
        "question_answer",
        "poll_open",
        "poll_vote",
        "poll_close",
        "recommendation_add",
        "recommendation_support",
        "statement_submit",
        "statement_moderate",
        "statement_vote",
        "statements_toggle",
    }
)


def limits() -> dict[str, int]:
    """The limits a client must respect, as sent in the welcome."""
    return {
        "max_connections_per_user": MAX_CONNECTIONS_PER_USER,
        "max_frame_bytes": MAX_FRAME_BYTES,
        "max_client_id_chars": MAX_CLIENT_ID_CHARS,
        "frame_limit": FRAME_LIMIT,
        "frame_window_seconds": FRAME_WINDOW,
        "max_message_bytes": MAX_MESSAGE_BYTES,
        "chat_limit": CHAT_LIMIT,
        "chat_window_seconds": CHAT_WINDOW,
        "max_reason_chars": MAX_REASON_CHARS,
        "max_timer_label_chars": MAX_TIMER_LABEL_CHARS,
        "max_poll_question_bytes": MAX_POLL_QUESTION_BYTES,
        "max_poll_question_chars": MAX_POLL_QUESTION_CHARS,
        "max_poll_option_chars": MAX_POLL_OPTION_CHARS,
        "max_poll_options": MAX_POLL_OPTIONS,
        "max_statement_chars": MAX_STATEMENT_CHARS,
        "statement_limit": STATEMENT_LIMIT,
        "statement_window_seconds": STATEMENT_WINDOW,
        "map_interval_seconds": MAP_INTERVAL,
        "max_mute_minutes": MAX_MUTE_MINUTES,
        "max_turn_seconds": MAX_TURN_SECONDS,
        "max_timer_seconds": MAX_TIMER_SECONDS,
    }
