"""Ids of volunteers in the public audit record: random, never derived from a person.

The organizer's own ids (a polling firm's respondent numbers, a list's row keys) and the
volunteers' features must not be linkable through the record anyone may download; the
record names each volunteer by an id drawn here, kept with the volunteer.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable

PREFIX = "V-"


def new_record_ids(
    count: int, taken: Iterable[str] = (), rng: random.Random | None = None
) -> list[str]:
    """``count`` distinct random ids, none of them in ``taken``.

    ``rng`` makes them reproducible (the synthetic demo); by default they come from the
    system's secure source.
    """
    used = set(taken)
    ids: list[str] = []
    while len(ids) < count:
        token = secrets.token_hex(5) if rng is None else f"{rng.getrandbits(40):010x}"
        candidate = PREFIX + token.upper()
        if candidate not in used:
            used.add(candidate)
            ids.append(candidate)
    return ids
