"""Fill the report's data object from the database (thin: queries in, dataclasses out)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils import timezone

from deliberation.models import Deliberation, ReportNarrative, Session
from deliberation.report_data import (
    ProcessSummary,
    ReportData,
    SessionRow,
    StageRow,
)
from panels.models import Panelist, PopulationMargin
from surveys.composition import CompositionFit, composition_fit
from surveys.wave_data import evaluation_answers, panel_answers, poll_data

# Panelist attributes a population margin's feature can be compared with.
PANEL_FEATURES = ("region", "gender", "age_band")


def panel_members(deliberation: Deliberation):
    """The panel as reported: every seat except those declined."""
    return Panelist.objects.filter(deliberation=deliberation).exclude(
        status=Panelist.Status.DECLINED
    )


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
        panel_size=panel_members(deliberation).count(),
        panel_by_status=by_status,
    )


def representativeness(deliberation: Deliberation) -> tuple[CompositionFit, ...]:
    """Panel composition against each population margin the panel records."""
    margins: dict[str, dict[str, float]] = defaultdict(dict)
    for feature, value, share in PopulationMargin.objects.filter(
        deliberation=deliberation
    ).values_list("feature", "value", "share"):
        margins[feature][value] = float(share)
    features = [f for f in PANEL_FEATURES if f in margins]
    if not features:
        return ()
    rows = list(panel_members(deliberation).values_list(*features))
    return tuple(
        composition_fit(feature, margins[feature], [row[k] for row in rows])
        for k, feature in enumerate(features)
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
