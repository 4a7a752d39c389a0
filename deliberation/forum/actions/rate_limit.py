"""The per-participant limit on messages and questions, counted from what the room stored,
so every connection and worker process counts together and a resent copy does not count."""

from __future__ import annotations

import datetime

from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.forum.protocol import CHAT_LIMIT, CHAT_WINDOW


def chat_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=CHAT_WINDOW)


def require_within_chat_limit(recent: int) -> None:
    if recent >= CHAT_LIMIT:
        raise ActionRefused(
            "rate_limited",
            f"At most {CHAT_LIMIT} messages per {CHAT_WINDOW} seconds; wait a moment.",
            reason="chat_rate",
            params={"limit": CHAT_LIMIT, "seconds": CHAT_WINDOW},
        )
