"""Fill the report's data object from the database (thin: queries in, dataclasses out)."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from deliberation.core.models import Deliberation
from deliberation.forum.models import Session
from deliberation.report.data import ProcessSummary, ReportData, SessionRow, StageRow
from deliberation.report.models import ReportNarrative
from panels import selectors as panel_selectors
from panels.models import Panelist
from panels.representativeness import CompositionFit
from surveys.wave_data import evaluation_answers, panel_answers, poll_data


def process_summary(deliberation: Deliberation) -> ProcessSummary:
    stages = tuple(
        StageRow(
            kind=s.kind,
            label=s.get_kind_display(),
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            status=s.status,
            status_label=s.get_status_display(),
        )
        for s in deliberation.stages.order_by("order")
    )
    sessions = tuple(
        SessionRow(
            kind=s.kind,
            kind_label=s.get_kind_display(),
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            group_count=s.group_count,
            member_count=s.member_count,
        )
        for s in Session.objects.filter(deliberation=deliberation)
        .annotate(
            group_count=Count("groups", distinct=True),
            member_count=Count("groups__members", distinct=True),
        )
        .order_by("starts_at")
    )
    by_status = dict(
        Panelist.objects.filter(deliberation=deliberation)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return ProcessSummary(
        stages=stages,
        sessions=sessions,
        panel_size=panel_selectors.active_panel(deliberation).count(),
        panel_by_status=by_status,
    )


def representativeness(deliberation: Deliberation) -> tuple[CompositionFit, ...]:
    """The active panel against each population margin, as the panels page shows it."""
    return tuple(
        comparison.fit
        for comparison in panel_selectors.representativeness(deliberation)
        if comparison.fit is not None
    )


def narratives(deliberation: Deliberation) -> dict[str, str]:
    return dict(
        ReportNarrative.objects.filter(deliberation=deliberation).values_list("section", "text")
    )


def build_report_data(deliberation: Deliberation) -> ReportData:
    """Everything the report shows, read from the database.

    The poll's core items are those the panel waves ask too, so the panel can be set
    against the weighted poll item by item.
    """
    panel = panel_answers(deliberation)
    poll, poll_items = poll_data(deliberation, list(panel.data.items) if panel else ())
    return ReportData(
        slug=deliberation.slug,
        title=deliberation.title,
        agenda=deliberation.agenda,
        city=deliberation.city,
        is_demo=deliberation.is_demo,
        generated_at=timezone.now(),
        process=process_summary(deliberation),
        representativeness=representativeness(deliberation),
        poll=poll,
        poll_items=poll_items,
        waves=panel.data if panel else None,
        narratives=narratives(deliberation),
        evaluation=evaluation_answers(deliberation),
    )
