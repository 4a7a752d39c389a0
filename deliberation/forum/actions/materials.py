"""Materials panelists read before and during a session."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from deliberation.core import audit
from deliberation.forum.models import Material, Session


def do_add_material(session: Session, *, actor: Any, **fields: Any) -> Material:
    with transaction.atomic():
        material = Material(session=session, **fields)
        material.full_clean()
        material.save()
        audit.record(
            "material.added",
            actor=actor,
            deliberation=session.deliberation_id,
            obj=material,
            label=material.title,
            extra={"session": session.pk},
        )
    return material
