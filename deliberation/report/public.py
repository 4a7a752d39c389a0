"""What the public page may show: the publication settings and the tracked recommendations.

Readers only, each in a fixed number of queries; the public pages (deliberation.site) and
the open-data files draw on them. Nothing here returns a person: the tracking timeline
names the department that answered, never the staff member who typed it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from deliberation.core.access import same_department
from deliberation.core.models import Deliberation
from deliberation.report.data import RecommendationRow
from deliberation.report.models import (
    Publication,
    RecommendationResponse,
    RecommendationStatusChange,
    ReportRender,
    TrackingStatus,
)


@dataclass(frozen=True)
class TimelineEntry:
    """One published change of the city's answer to a recommendation."""

    recommendation_id: int
    changed_at: datetime.datetime
    old_status: str
    old_label: str
    new_status: str
    new_label: str
    response: str
    department: str
    responded_on: datetime.date


@dataclass(frozen=True)
class TrackedRecommendation:
    """A recommendation with its support and where the city's answer stands."""

    row: RecommendationRow
    status: str = ""
    status_label: str = ""
    response: str = ""
    department: str = ""
    responded_on: datetime.date | None = None
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def pk(self) -> int:
        assert self.row.pk is not None
        return self.row.pk


def _label(status: str) -> str:
    return str(TrackingStatus(status).label) if status in TrackingStatus.values else ""


def publication_of(deliberation: Deliberation) -> Publication | None:
    return Publication.objects.filter(deliberation=deliberation).first()


def published_publication(slug: str) -> Publication | None:
    """The publication of the deliberation at ``slug`` when it is published, else None."""
    return (
        Publication.objects.select_related("deliberation")
        .filter(deliberation__slug=slug, published_at__isnull=False)
        .first()
    )


def published_deliberations() -> QuerySet[Publication]:
    """Every published deliberation, newest publication first."""
    return (
        Publication.objects.filter(published_at__isnull=False)
        .select_related("deliberation")
        .order_by("-published_at", "pk")
    )


def timeline(deliberation: Deliberation) -> tuple[TimelineEntry, ...]:
    """Every change of every recommendation's answer, oldest first."""
    return tuple(
        TimelineEntry(
            recommendation_id=change.response.recommendation_id,
            changed_at=change.changed_at,
            old_status=change.old_status,
            old_label=_label(change.old_status),
            new_status=change.new_status,
            new_label=_label(change.new_status),
            response=change.response_text,
            department=change.department,
            responded_on=change.responded_on,
        )
        for change in RecommendationStatusChange.objects.filter(response__deliberation=deliberation)
        .select_related("response")
        .order_by("changed_at", "pk")
    )


def tracked_recommendations(
    deliberation: Deliberation, rows: tuple[RecommendationRow, ...]
) -> tuple[TrackedRecommendation, ...]:
    """The report's recommendation rows (``selectors.recommendations``) with their answers."""
    responses = {
        r.recommendation_id: r
        for r in RecommendationResponse.objects.filter(deliberation=deliberation)
    }
    changes: dict[int, list[TimelineEntry]] = {}
    for entry in timeline(deliberation):
        changes.setdefault(entry.recommendation_id, []).append(entry)
    tracked = []
    for row in rows:
        if row.pk is None:
            continue
        answer = responses.get(row.pk)
        tracked.append(
            TrackedRecommendation(
                row=row,
                status=answer.status if answer else "",
                status_label=_label(answer.status) if answer else "",
                response=answer.response if answer else "",
                department=answer.department if answer else "",
                responded_on=answer.responded_on if answer else None,
                timeline=tuple(changes.get(row.pk, ())),
            )
        )
    return tuple(tracked)


def assigned_to(
    tracked: tuple[TrackedRecommendation, ...], department: str
) -> tuple[TrackedRecommendation, ...]:
    """The recommendations assigned to a department (its officer's tracking page), by the
    department named in their current answer."""
    return tuple(t for t in tracked if same_department(t.department, department))


def public_report_render(deliberation: Deliberation, language: str) -> ReportRender | None:
    """The newest finished PDF of the report, in the page's language when there is one."""
    done = ReportRender.objects.filter(
        deliberation=deliberation, status=ReportRender.Status.DONE
    ).exclude(file="")
    return done.filter(language=language).first() or done.first()
