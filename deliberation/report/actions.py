"""Writes of the report: the analysts' narrative, the headline question, PDF requests, what
is published and the city's answers to the recommendations."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from deliberation.core import audit, background, public_cache
from deliberation.core.access import can_manage, department_of, same_department
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.forum.models import GroupRecommendation
from deliberation.report.jobs import render_report_pdf
from deliberation.report.models import (
    PUBLIC_PARTS,
    Licence,
    Publication,
    RecommendationResponse,
    RecommendationStatusChange,
    ReportNarrative,
    ReportRender,
    TrackingStatus,
)
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


def _refuse_unless_organizer(actor: Any, deliberation: Deliberation) -> None:
    if not can_manage(actor, deliberation):
        raise ActionRefused(
            "not_allowed",
            gettext("Only the deliberation's organizers may do this; nothing was changed."),
        )


def do_set_publication(
    deliberation: Deliberation,
    *,
    published: bool,
    parts: Mapping[str, bool],
    licence: str,
    publish_microdata: bool,
    actor: Any,
) -> Publication:
    """Publish or unpublish the deliberation's public page and choose what is on it.

    Refused (nothing saved) for someone not organizing it, an unknown part or licence. The
    first publication keeps its moment; unpublishing clears it. The page's cache is dropped
    when the change commits.
    """
    _refuse_unless_organizer(actor, deliberation)
    unknown = sorted(set(parts) - set(PUBLIC_PARTS))
    if unknown:
        raise ActionRefused(
            "unknown_part",
            gettext("%(part)s is not a part of the public page.") % {"part": unknown[0]},
        )
    if licence not in Licence.values:
        raise ActionRefused(
            "unknown_licence",
            gettext("%(licence)s is not one of the licences offered.") % {"licence": licence},
        )
    fields = [*PUBLIC_PARTS, "licence", "publish_microdata", "published_at"]
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        publication, _created = Publication.objects.get_or_create(deliberation=deliberation)
        before = audit.values_of(publication, fields)
        for part in PUBLIC_PARTS:
            if part in parts:
                setattr(publication, part, bool(parts[part]))
        publication.licence = licence
        publication.publish_microdata = bool(publish_microdata)
        if published and publication.published_at is None:
            publication.published_at = timezone.now()
        elif not published:
            publication.published_at = None
        changes = audit.changed(before, publication)
        if changes:
            publication.updated_by = actor
            publication.save()
            audit.record(
                "publication.updated",
                actor=actor,
                deliberation=deliberation,
                obj=publication,
                label=str(deliberation),
                changes=changes,
            )
        transaction.on_commit(lambda: public_cache.invalidate(deliberation.slug))
    return publication


RESPONSE_LENGTH = 5000
DEPARTMENT_LENGTH = 120


def do_update_recommendation_status(
    deliberation: Deliberation,
    recommendation_id: int,
    *,
    status: str,
    response: str,
    department: str,
    responded_on: datetime.date | None,
    actor: Any,
) -> RecommendationResponse:
    """Record the city's answer to one recommendation: its status, text, date, department.

    The deliberation's organizers answer any recommendation and assign it to a department
    by naming it (status "received" with the department, say). A department officer of the
    team answers only the recommendations assigned to their own department, and the
    department stays theirs. Every change adds a row to the history (who, when, the old and
    the new status) and an audit entry. Refused, with nothing changed: an unknown status;
    someone who neither organizes the deliberation nor is one of its department officers;
    an officer's answer to a recommendation not assigned to their department, or naming
    another department; a recommendation of another deliberation; a missing date or an
    over-long text.
    """
    officer_of = "" if can_manage(actor, deliberation) else department_of(actor, deliberation)
    if not officer_of:
        _refuse_unless_organizer(actor, deliberation)
    elif department and not same_department(department, officer_of):
        raise ActionRefused(
            "other_department",
            gettext(
                "A department officer answers for their own department (%(department)s) "
                "only; nothing was changed."
            )
            % {"department": officer_of},
        )
    if status not in TrackingStatus.values:
        raise ActionRefused(
            "unknown_status",
            gettext("%(status)s is not a tracking status.") % {"status": status},
        )
    if responded_on is None:
        raise ActionRefused("no_date", gettext("Give the date of this answer."))
    response = (response or "").strip()
    department = (department or "").strip()
    if len(response) > RESPONSE_LENGTH or len(department) > DEPARTMENT_LENGTH:
        raise ActionRefused(
            "too_long",
            gettext(
                "The response may be at most %(response)s characters and the department "
                "%(department)s."
            )
            % {"response": RESPONSE_LENGTH, "department": DEPARTMENT_LENGTH},
        )
    with transaction.atomic():
        recommendation = (
            GroupRecommendation.objects.select_for_update()
            .filter(pk=recommendation_id, room__session__deliberation=deliberation)
            .first()
        )
        if recommendation is None:
            raise ActionRefused(
                "unknown_recommendation",
                gettext("This recommendation is not one of this deliberation's."),
            )
        current = RecommendationResponse.objects.filter(recommendation=recommendation).first()
        if officer_of:
            if current is None or not same_department(current.department, officer_of):
                raise ActionRefused(
                    "not_your_department",
                    gettext(
                        "This recommendation is not assigned to your department "
                        "(%(department)s); nothing was changed."
                    )
                    % {"department": officer_of},
                )
            department = current.department
        old_status = current.status if current else ""
        old: dict[str, Any] = {
            "status": old_status,
            "response": current.response if current else "",
            "department": current.department if current else "",
            "responded_on": current.responded_on if current else None,
        }
        new: dict[str, Any] = {
            "status": status,
            "response": response,
            "department": department,
            "responded_on": responded_on,
        }
        if current is not None and old == new:
            return current
        if current is None:
            current = RecommendationResponse(
                recommendation=recommendation, deliberation=deliberation
            )
        current.status = status
        current.response = response
        current.department = department
        current.responded_on = responded_on
        current.updated_by = actor
        current.save()
        RecommendationStatusChange.objects.create(
            response=current,
            changed_by=actor,
            old_status=old_status,
            new_status=status,
            response_text=response,
            department=department,
            responded_on=responded_on,
        )
        audit.record(
            "recommendation.status_changed",
            actor=actor,
            deliberation=deliberation,
            obj=current,
            label=recommendation.text[:80],
            changes={key: [old[key], new[key]] for key in new if old[key] != new[key]},
        )
        transaction.on_commit(lambda: public_cache.invalidate(deliberation.slug))
    return current
