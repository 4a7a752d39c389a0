"""Who of the panel has completed a panel wave, overall and by stratum."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from panels.strata import STRATA
from surveys.models import Response, Wave, WaveReminder
from surveys.selectors import wave_panelists


@dataclass(frozen=True)
class CompletionRow:
    group: str
    invited: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.invited if self.invited else None


@dataclass(frozen=True)
class Completion:
    invited: int
    completed: int
    in_progress: int
    reminded: int
    by: dict[str, list[CompletionRow]] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.completed / self.invited if self.invited else None

    @property
    def not_completed(self) -> int:
        return self.invited - self.completed


def wave_completion(wave: Wave) -> Completion:
    """Invited (active seats) against completed, in three queries whatever the panel size."""
    seats = list(wave_panelists(wave).values_list("pk", *STRATA))
    status = dict(
        Response.objects.filter(wave=wave, panelist__isnull=False).values_list(
            "panelist_id", "status"
        )
    )
    reminded = set(
        WaveReminder.objects.filter(wave=wave).values_list("panelist_id", flat=True).distinct()
    )
    done = {pk for pk, s in status.items() if s == Response.Status.COMPLETE}
    invited_by = {g: Counter() for g in STRATA}
    completed_by = {g: Counter() for g in STRATA}
    for pk, *groups in seats:
        for grouping, value in zip(STRATA, groups, strict=True):
            invited_by[grouping][value] += 1
            if pk in done:
                completed_by[grouping][value] += 1
    ids = {pk for pk, *_ in seats}
    return Completion(
        invited=len(seats),
        completed=len(done & ids),
        in_progress=sum(
            1 for pk, s in status.items() if pk in ids and s == Response.Status.IN_PROGRESS
        ),
        reminded=len(reminded & ids),
        by={
            g: [
                CompletionRow(value, invited_by[g][value], completed_by[g][value])
                for value in sorted(invited_by[g])
            ]
            for g in STRATA
        },
    )
