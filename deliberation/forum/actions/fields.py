"""Validation of the fields of a room frame: a wrong type or size is refused, nothing stored."""

from __future__ import annotations

from typing import Any

from deliberation.core.actions import ActionRefused
from deliberation.forum.protocol import MAX_MESSAGE_BYTES, MAX_REASON_CHARS


def clean_text(value: Any, *, field: str, max_bytes: int = MAX_MESSAGE_BYTES) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActionRefused(
            "invalid",
            f"'{field}' must be a non-empty string.",
            reason="empty_text",
            params={"field": field},
        )
    if len(value.encode("utf-8")) > max_bytes:
        raise ActionRefused(
            "too_large",
            f"'{field}' is longer than {max_bytes} bytes.",
            reason="text_too_large",
            params={"field": field, "max": max_bytes},
        )
    return value.strip()


def clean_int(value: Any, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ActionRefused(
            "invalid",
            f"'{field}' must be an integer from {low} to {high}.",
            reason="bad_number",
            params={"field": field, "low": low, "high": high},
        )
    return value


def clean_id(value: Any, *, field: str) -> int:
    """A row id: an integer, never a boolean (JSON true is not the row with id 1)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ActionRefused("invalid", f"'{field}' must be an integer.")
    return value


def clean_reason(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ActionRefused("invalid", "'reason' must be a string.")
    return value.strip()[:MAX_REASON_CHARS]
