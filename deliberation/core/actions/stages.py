"""A deliberation's stages: added, edited, reordered and removed by its organizers."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.models import Deliberation, Stage

STAGE_FIELDS = ("status", "status_by_hand", "starts_on", "ends_on", "note")


def do_update_stage(
    stage: Stage,
    *,
    status: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    note: str,
    actor: Any,
    status_by_hand: bool | None = None,
) -> Stage:
    """Change a stage's status and dates; the row is locked so two organizers cannot race."""
    with transaction.atomic():
        locked = Stage.objects.select_for_update().get(pk=stage.pk)
        before = audit.values_of(locked, STAGE_FIELDS)
        locked.status = status
        locked.starts_on = starts_on
        locked.ends_on = ends_on
        locked.note = note
        if status_by_hand is not None:
            locked.status_by_hand = status_by_hand
        locked.full_clean()
        locked.save(update_fields=list(STAGE_FIELDS))
        audit.record(
            "stage.updated",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.get_kind_display(),
            changes=audit.changed(before, locked),
        )
    return locked


def do_add_stage(
    deliberation: Deliberation,
    *,
    kind: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    note: str = "",
    actor: Any,
) -> Stage:
    """Append a stage of a kind the deliberation does not have yet."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        if deliberation.stages.filter(kind=kind).exists():
            raise ActionRefused("stage_exists", _("The deliberation already has this stage."))
        last = deliberation.stages.aggregate(last=Max("order"))["last"] or 0
        stage = Stage(
            deliberation=deliberation,
            kind=kind,
            order=last + 1,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
        )
        stage.full_clean()
        stage.save()
        audit.record(
            "stage.added",
            actor=actor,
            deliberation=deliberation,
            obj=stage,
            label=stage.get_kind_display(),
            extra={"starts_on": starts_on, "ends_on": ends_on, "note": note},
        )
    return stage


def do_remove_stage(stage: Stage, *, actor: Any) -> None:
    """Remove a stage and close the gap in the order."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=stage.deliberation_id)
        audit.record(
            "stage.removed",
            actor=actor,
            deliberation=stage.deliberation_id,
            obj=stage,
            label=stage.get_kind_display(),
        )
        stage.delete()
        _renumber(stage.deliberation_id)


def do_move_stage(stage: Stage, *, offset: int, actor: Any) -> None:
    """Move a stage up (-1) or down (+1) the order; at either end nothing changes."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=stage.deliberation_id)
        stages = list(Stage.objects.filter(deliberation_id=stage.deliberation_id))
        index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
        target = index + offset
        if 0 <= target < len(stages):
            stages[index], stages[target] = stages[target], stages[index]
            _save_order(stages)
            audit.record(
                "stage.moved",
                actor=actor,
                deliberation=stage.deliberation_id,
                obj=stage,
                label=stage.get_kind_display(),
                changes={"order": [index + 1, target + 1]},
            )


def _renumber(deliberation_id: int) -> None:
    _save_order(list(Stage.objects.filter(deliberation_id=deliberation_id)))


def _save_order(stages: list[Stage]) -> None:
    for order, stage in enumerate(stages, start=1):
        stage.order = order
    Stage.objects.bulk_update(stages, ["order"])
