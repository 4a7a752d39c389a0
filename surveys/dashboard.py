"""Fieldwork progress of a wave: completes by stratum against targets, rates and times."""

from __future__ import annotations

import statistics

from django.db.models import Count, Q

from panels.strata import STRATA
from surveys import quality
from surveys.models import Invitation, Response, Wave

FLAGGED_LIST_LIMIT = 500
# A response whose flags are not the empty list, or that the organizer excluded.
_FLAGGED_OR_EXCLUDED = ~Q(quality_flags=[]) | Q(excluded_at__isnull=False)


def fieldwork_summary(wave: Wave) -> dict:
    """Everything the dashboard shows, as plain JSON-ready data (a handful of queries)."""
    responses = Response.objects.filter(wave=wave)
    by_status = dict(responses.values_list("status").annotate(n=Count("id")).order_by())
    started = sum(by_status.values())
    # Only the completes with a flag or an exclusion are read: a few in a hundred thousand.
    flag_rows = list(
        responses.filter(status=Response.Status.COMPLETE)
        .filter(_FLAGGED_OR_EXCLUDED)
        .order_by()
        .values_list("quality_flags", "excluded_at")
    )
    excluded = sum(1 for _flags, at in flag_rows if at is not None)
    complete = by_status.get(Response.Status.COMPLETE, 0) - excluded
    flags = {
        flag: sum(1 for raised, at in flag_rows if flag in (raised or []) and at is None)
        for flag in quality.FLAGS
    }
    durations = list(
        responses.counted()
        .filter(duration_seconds__isnull=False)
        .order_by()  # not the model's order: it joins the wave and deliberation to sort
        .values_list("duration_seconds", flat=True)
    )
    cells = {}
    for row in responses.counted().values(*STRATA).annotate(n=Count("id")).order_by():
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
        "excluded": excluded,
        "flags": flags,
        "started": started,
        "by_status": {status: by_status.get(status, 0) for status in Response.Status.values},
        "invitations": invited,
        "completion_rate": round(complete / started, 4) if started else None,
        "median_seconds": statistics.median(durations) if durations else None,
        "quotas": quotas,
        "margins": margins,
    }


def flagged_responses(wave: Wave) -> list[dict]:
    """Completes with a quality flag or an exclusion, newest first (two queries)."""
    rows = (
        Response.objects.filter(wave=wave, status=Response.Status.COMPLETE)
        .select_related("excluded_by")
        .order_by("-submitted_at", "-pk")
        .only(
            "pk",
            "respondent_id",
            "quality_flags",
            "duration_seconds",
            "submitted_at",
            "excluded_at",
            "exclusion_reason",
            "excluded_by__email",
        )
    )
    listed = []
    for response in rows.filter(_FLAGGED_OR_EXCLUDED).iterator(chunk_size=2000):
        if response.quality_flags or response.excluded_at:
            listed.append(
                {
                    "pk": response.pk,
                    "respondent_id": response.respondent_id,
                    "flags": response.quality_flags,
                    "duration_seconds": response.duration_seconds,
                    "submitted_at": response.submitted_at,
                    "excluded_at": response.excluded_at,
                    "excluded_by": response.excluded_by.email if response.excluded_by else "",
                    "reason": response.exclusion_reason,
                }
            )
            if len(listed) >= FLAGGED_LIST_LIMIT:
                break
    return listed
