"""Tokens of invitation links and respondent ids: random, and stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_respondent_id() -> str:
    return "R" + secrets.token_hex(6).upper()


def new_open_link_token() -> str:
    """The token of a wave's open link (shared publicly, so short and unguessable)."""
    return secrets.token_urlsafe(12)
