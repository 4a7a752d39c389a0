"""The deliberation's calendar: sessions and survey waves side by side, in date order."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScheduleEntry:
    starts: datetime.datetime | None
    ends: datetime.datetime | None
    session: Any = None
    wave: Any = None


def schedule(sessions: Iterable[Any], waves: Iterable[Any]) -> list[ScheduleEntry]:
    """Sessions (starts_at/ends_at) and waves (opens_at/closes_at); undated waves last."""
    entries = [ScheduleEntry(s.starts_at, s.ends_at, session=s) for s in sessions]
    entries += [ScheduleEntry(w.opens_at, w.closes_at, wave=w) for w in waves]
    return sorted(entries, key=lambda e: (e.starts is None, e.starts or datetime.datetime.min))
