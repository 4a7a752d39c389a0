"""Fieldwork progress of a wave: completes by stratum against targets, rates and times."""

from __future__ import annotations

import statistics

from django.db.models import Count

from panels.strata import STRATA
from surveys.models import Invitation, Response, Wave


def fieldwork_summary(wave: Wave) -> dict:
    """Everything the dashboard shows, as plain JSON-ready data (a handful of queries)."""
    responses = Response.objects.filter(wave=wave)
    by_status = dict(responses.values_list("status").annotate(n=Count("id")).order_by())
    complete = by_status.get(Response.Status.COMPLETE, 0)
    started = sum(by_status.values())
    durations = list(
        responses.filter(
            status=Response.Status.COMPLETE, duration_seconds__isnull=False
        ).values_list("duration_seconds", flat=True)
    )
    cells = {}
    for row in (
        responses.filter(status=Response.Status.COMPLETE)
        .values(*STRATA)
        .annotate(n=Count("id"))
        .order_by()
    ):
        cells[(row["region"], row["gender"], row["age_band"])] = row["n"]
    quotas = []
    for quota in wave.quotas.all():
        done = sum(n for key, n in cells.items() if quota.matches(*key))
        quotas.append(
            {
                "cell": str(quota),
                "region": quota.region,
                "gender": quota.gender,
                "age_band": quota.age_band,
                "target": quota.target,
                "completes": done,
                "share": round(done / quota.target, 4) if quota.target else 1.0,
                "full": done >= quota.target,
            }
        )
    margins = {}
    for feature in STRATA:
        counts: dict[str, int] = {}
        for key, n in cells.items():
            value = key[STRATA.index(feature)] or "—"
            counts[value] = counts.get(value, 0) + n
        margins[feature] = dict(sorted(counts.items()))
    invited = Invitation.objects.filter(wave=wave, source=Invitation.Source.INVITED).count()
    return {
        "wave": wave.pk,
        "completes": complete,
        "started": started,
        "by_status": {status: by_status.get(status, 0) for status in Response.Status.values},
        "invitations": invited,
        "completion_rate": round(complete / started, 4) if started else None,
        "median_seconds": statistics.median(durations) if durations else None,
        "quotas": quotas,
        "margins": margins,
    }
