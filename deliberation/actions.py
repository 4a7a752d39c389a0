"""Writes that others must see, each in one transaction (the do_* pattern)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction

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
