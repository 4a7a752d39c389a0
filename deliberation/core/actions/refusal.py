"""The refusal every stage's actions raise when a write is not allowed or not valid."""

from __future__ import annotations


class ActionRefused(Exception):
    """An action that is not allowed or not valid; nothing was written.

    ``code`` is a short machine-readable reason (the room protocol sends it to clients),
    ``detail`` the sentence shown to the person. Where the sentence is shown by another
    program in its reader's language (the live room's page), ``reason`` names the sentence
    exactly and ``params`` holds its values, and ``detail`` is an English aid for logs.
    """

    def __init__(
        self, code: str, detail: str, *, reason: str = "", params: dict | None = None
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.reason = reason or code
        self.params = params or {}
