"""Changing and removing a wave or a quota cell before fieldwork has reached them.

A wave's responses were given to that wave as it stood (its questionnaire, its kind, its
dates), and a quota cell that respondents fall in has decided who could complete: both
are kept as they are once that has happened. The wave row is locked while the responses
are counted, so two organizers' changes to one wave or its cells do not interleave.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.actions import ActionRefused
from surveys import consent
from surveys.actions.fieldwork import quota_category_problems
from surveys.models import FieldworkQuota, Response, Wave
from surveys.selectors import quota_is_reached

WAVE_FIELDS = (
    "questionnaire",
    "kind",
    "label",
    "title",
    "opens_at",
    "closes_at",
    *(f for name in consent.CONSENT_FIELDS for f in (name, f"{name}_en")),
)


def wave_answered_refusal() -> ActionRefused:
    """The refusal of a change to a wave that has responses (pages show it beforehand)."""
    return ActionRefused(
        "wave_has_responses",
        _(
            "This wave already has responses, so it can no longer be changed or "
            "deleted: they were given to the wave as it stands. Its dates can still be "
            "changed on its fieldwork page."
        ),
    )


def quota_reached_refusal() -> ActionRefused:
    """The refusal of a change to a quota cell that respondents fall in."""
    return ActionRefused(
        "quota_has_responses",
        _(
            "Respondents already fall in this quota cell, so it can no longer be "
            "changed or deleted: it has decided who could complete. Add another "
            "cell instead."
        ),
    )


def _refuse_if_answered(wave: Wave) -> None:
    if Response.objects.filter(wave_id=wave.pk).exists():
        raise wave_answered_refusal()


def do_update_wave(wave: Wave, *, actor: Any = None, **fields: Any) -> Wave:
    """Change a wave's questionnaire, kind, label, title or dates while nobody has answered."""
    unknown = set(fields) - set(WAVE_FIELDS)
    if unknown:
        raise ValueError(f"not a wave field: {sorted(unknown)}")
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        _refuse_if_answered(locked)
        before = audit.values_of(locked, list(fields))
        for name, value in fields.items():
            setattr(locked, name, value)
        if locked.is_panel_wave:
            # Panel waves are answered by the seated panel only: no open link.
            locked.open_link_token = ""
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ActionRefused(
                "wave_label_taken", _("Another wave already uses this label.")
            ) from None
        audit.record(
            "wave.updated",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.label,
            changes=audit.changed(before, locked),
        )
    return locked


def do_delete_wave(wave: Wave, *, actor: Any = None) -> None:
    """Delete a wave nobody has answered, with its quotas, links and reminders."""
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        _refuse_if_answered(locked)
        audit.record(
            "wave.deleted",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.label,
        )
        locked.delete()


def _refuse_if_reached(quota: FieldworkQuota) -> None:
    if quota_is_reached(quota):
        raise quota_reached_refusal()


def do_update_quota(
    quota: FieldworkQuota,
    *,
    region: str,
    gender: str,
    age_band: str,
    target: int,
    actor: Any = None,
) -> FieldworkQuota:
    """Change a quota cell that no respondent has reached yet (its categories checked again)."""
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=quota.wave_id)
        locked = FieldworkQuota.objects.select_related("wave__deliberation").get(pk=quota.pk)
        _refuse_if_reached(locked)
        problems = quota_category_problems(
            locked.wave, {"region": region, "gender": gender, "age_band": age_band}
        )
        if problems:
            raise ActionRefused("unknown_quota_category", " ".join(problems))
        before = audit.values_of(locked, ["region", "gender", "age_band", "target"])
        locked.region, locked.gender, locked.age_band = region, gender, age_band
        locked.target = target
        _refuse_if_reached(locked)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ActionRefused(
                "quota_cell_taken", _("Another quota already targets this cell.")
            ) from None
        audit.record(
            "fieldwork_quota.updated",
            actor=actor,
            deliberation=locked.wave.deliberation_id,
            obj=locked,
            label=str(locked),
            changes=audit.changed(before, locked),
        )
    return locked


def do_delete_quota(quota: FieldworkQuota, *, actor: Any = None) -> None:
    """Delete a quota cell that no respondent has reached yet."""
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=quota.wave_id)
        locked = FieldworkQuota.objects.select_related("wave").get(pk=quota.pk)
        _refuse_if_reached(locked)
        audit.record(
            "fieldwork_quota.deleted",
            actor=actor,
            deliberation=locked.wave.deliberation_id,
            obj=locked,
            label=str(locked),
        )
        locked.delete()
