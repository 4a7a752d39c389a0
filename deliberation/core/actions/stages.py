"""A deliberation's stages: added, edited, reordered and removed by its organizers."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.models import Deliberation, Stage

logger = logging.getLogger(__name__)


def _log(message: str, *args: Any) -> None:
    transaction.on_commit(lambda: logger.info(message, *args))


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
        locked.status = status
        locked.starts_on = starts_on
        locked.ends_on = ends_on
        locked.note = note
        if status_by_hand is not None:
            locked.status_by_hand = status_by_hand
        locked.full_clean()
        locked.save(update_fields=["status", "status_by_hand", "starts_on", "ends_on", "note"])
        _log(
            "stage %s of %s set to %s by %s",
            locked.kind,
            locked.deliberation_id,
            status,
            getattr(actor, "pk", None),
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
        _log("stage %s added to %s by %s", kind, deliberation.pk, getattr(actor, "pk", None))
    return stage


def do_remove_stage(stage: Stage, *, actor: Any) -> None:
    """Remove a stage and close the gap in the order."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=stage.deliberation_id)
        stage.delete()
        _renumber(stage.deliberation_id)
        _log(
            "stage %s removed from %s by %s",
            stage.kind,
            stage.deliberation_id,
            getattr(actor, "pk", None),
        )


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
            _log(
                "stage %s of %s moved by %s",
                stage.kind,
                stage.deliberation_id,
                getattr(actor, "pk", None),
            )


def _renumber(deliberation_id: int) -> None:
    _save_order(list(Stage.objects.filter(deliberation_id=deliberation_id)))


def _save_order(stages: list[Stage]) -> None:
    for order, stage in enumerate(stages, start=1):
        stage.order = order
    Stage.objects.bulk_update(stages, ["order"])
