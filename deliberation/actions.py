"""Writes that others must see, each in one transaction (the do_* pattern)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from deliberation.models import Stage

logger = logging.getLogger(__name__)


def do_update_stage(
    stage: Stage,
    *,
    status: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    note: str,
    actor,
) -> Stage:
    """Change a stage's status and dates; the row is locked so two organizers cannot race."""
    with transaction.atomic():
        locked = Stage.objects.select_for_update().get(pk=stage.pk)
        locked.status = status
        locked.starts_on = starts_on
        locked.ends_on = ends_on
        locked.note = note
        locked.full_clean()
        locked.save(update_fields=["status", "starts_on", "ends_on", "note"])
        transaction.on_commit(
            lambda: logger.info(
                "stage %s of %s set to %s by %s",
                locked.kind,
                locked.deliberation_id,
                status,
                getattr(actor, "pk", None),
            )
        )
    return locked


def do_save_report_narratives(deliberation, texts: dict[str, str], *, actor) -> int:
    """Save the analysts' text per report section; returns how many sections changed."""
    from deliberation.models import ReportNarrative

    changed = 0
    with transaction.atomic():
        current = {
            n.section: n
            for n in ReportNarrative.objects.select_for_update().filter(deliberation=deliberation)
        }
        for section, text in texts.items():
            if section not in ReportNarrative.Section.values:
                raise ValueError(f"unknown report section {section!r}")
            existing = current.get(section)
            if existing is None and not text:
                continue
            if existing is not None and existing.text == text:
                continue
            ReportNarrative.objects.update_or_create(
                deliberation=deliberation,
                section=section,
                defaults={"text": text, "updated_by": actor},
            )
            changed += 1
        transaction.on_commit(
            lambda: logger.info(
                "report narrative of %s: %d section(s) saved by %s",
                deliberation.pk,
                changed,
                getattr(actor, "pk", None),
            )
        )
    return changed


def do_request_report_render(deliberation, *, actor, language: str = "ko"):
    """Queue a PDF of the report, or return the one already being made for this deliberation.

    The deliberation row is locked so two clicks cannot start two renders; a render left
    unfinished by a dead process for longer than the stale limit is marked failed.
    """
    from deliberation.models import Deliberation, ReportRender
    from deliberation.report_jobs import STALE_AFTER, start_render

    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        active = ReportRender.objects.filter(
            deliberation=deliberation,
            status__in=[ReportRender.Status.QUEUED, ReportRender.Status.RUNNING],
        )
        active.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
            status=ReportRender.Status.FAILED,
            error="interrupted",
            finished_at=timezone.now(),
        )
        render = active.first()
        if render is not None:
            return render
        render = ReportRender.objects.create(
            deliberation=deliberation, requested_by=actor, language=language
        )
        transaction.on_commit(lambda: start_render(render.pk))
    return render
