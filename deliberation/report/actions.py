"""Writes of the report: the analysts' narrative, the headline question, PDF requests."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from deliberation.core import audit, background
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.report.jobs import render_report_pdf
from deliberation.report.models import ReportNarrative, ReportRender
from surveys.wave_data import (
    is_headline_candidate,
    panel_codings,
    panel_question_codes,
    panel_waves,
)


def do_save_report_narratives(
    deliberation: Deliberation, texts: dict[str, str], *, actor: Any
) -> int:
    """Save the analysts' text per report section; returns how many sections changed."""
    changed = 0
    edits: dict[str, list] = {}
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
            edits[section] = [existing.text if existing is not None else "", text]
            changed += 1
        if edits:
            audit.record(
                "report.narratives_saved",
                actor=actor,
                deliberation=deliberation,
                changes=edits,
            )
    return changed


def do_set_report_headline(deliberation: Deliberation, item: str, *, actor: Any) -> Deliberation:
    """Choose the report's headline opinion item ("" restores the default rule).

    The item must be an agree-disagree or yes/no question of the deliberation's panel
    surveys; anything else is refused with ActionRefused and nothing is saved. The row is
    locked so the check and the write see the same questionnaires.
    """
    item = (item or "").strip()
    with transaction.atomic():
        locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        if item:
            waves = panel_waves(locked)
            codings = panel_codings(waves)
            if item not in codings and item not in panel_question_codes(waves):
                raise ActionRefused(
                    "unknown_item",
                    gettext("%(item)s is not a question of this deliberation's panel surveys.")
                    % {"item": item},
                )
            if item not in codings or not is_headline_candidate(codings[item]):
                raise ActionRefused(
                    "wrong_type",
                    gettext(
                        "%(item)s cannot be the headline question: choose an agree–disagree "
                        "or yes/no question."
                    )
                    % {"item": item},
                )
        if locked.report_headline_item != item:
            before = audit.values_of(locked, ["report_headline_item"])
            locked.report_headline_item = item
            locked.save(update_fields=["report_headline_item"])
            audit.record(
                "report.headline_set",
                actor=actor,
                deliberation=locked,
                changes=audit.changed(before, locked),
            )
    deliberation.report_headline_item = item
    return locked


def do_request_report_render(
    deliberation: Deliberation, *, actor: Any, language: str = "ko"
) -> ReportRender:
    """Queue a PDF of the report, or return the one already being made for this deliberation.

    The deliberation row is locked so two clicks cannot start two renders; a render still
    marked active whose task no worker will finish is marked failed.
    """
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        active = ReportRender.objects.filter(
            deliberation=deliberation,
            status__in=[ReportRender.Status.QUEUED, ReportRender.Status.RUNNING],
        )
        stale = [r.pk for r in active if background.is_abandoned(r.task_id, r.created_at)]
        ReportRender.objects.filter(pk__in=stale).update(
            status=ReportRender.Status.FAILED,
            error="interrupted",
            finished_at=timezone.now(),
        )
        render = active.exclude(pk__in=stale).first()
        if render is not None:
            return render
        render = ReportRender.objects.create(
            deliberation=deliberation, requested_by=actor, language=language
        )
        audit.record(
            "report.render_requested",
            actor=actor,
            deliberation=deliberation,
            obj=render,
            label=f"#{render.pk} ({language})",
        )
        background.enqueue_on_commit(render_report_pdf, ReportRender, render.pk)
    return render


def do_cancel_report_render(render: ReportRender, *, actor: Any) -> ReportRender:
    """Cancel a queued or running PDF; the worker stops at its next progress step."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=render.deliberation_id)
        render = ReportRender.objects.select_for_update().get(pk=render.pk)
        if not render.is_active:
            raise ActionRefused(
                "not_active", gettext("This PDF has already finished; nothing was cancelled.")
            )
        render.status = ReportRender.Status.CANCELLED
        render.finished_at = timezone.now()
        render.cancelled_by = actor if getattr(actor, "pk", None) else None
        render.save(update_fields=["status", "finished_at", "cancelled_by"])
        audit.record(
            "report.render_cancelled",
            actor=actor,
            deliberation=render.deliberation_id,
            obj=render,
            label=f"#{render.pk}",
        )
    return render
