"""The refusal every stage's actions raise when a write is not allowed or not valid."""

from __future__ import annotations


class ActionRefused(Exception):
    """An action that is not allowed or not valid; nothing was written.

    ``code`` is a short machine-readable reason (the room protocol sends it to clients),
    ``detail`` the sentence shown to the person.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
