"""Writes of the core, each in one transaction (the do_* pattern), and the refusal that
every stage's actions raise when a write is not allowed or not valid."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction

from deliberation.core.models import Stage

logger = logging.getLogger(__name__)


class ActionRefused(Exception):
    """An action that is not allowed or not valid; nothing was written.

    ``code`` is a short machine-readable reason (the room protocol sends it to clients),
    ``detail`` the sentence shown to the person.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def do_update_stage(
    stage: Stage,
    *,
    status: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    note: str,
    actor: Any,
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
