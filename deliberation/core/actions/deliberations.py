"""Deliberations: created, edited and archived by organizers in the product."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.models import Deliberation, Membership, Stage
from deliberation.core.roles import Role
from deliberation.core.slugs import RESERVED, readable_slug

# The stages of the process in their usual order (../shared/DESIGN.md); the organizer
# removes those the deliberation does not hold and dates the others.
STANDARD_STAGES = tuple(Stage.Kind.values)
EDITABLE_FIELDS = ("title", "title_en", "agenda", "city", "description", "starts_on", "ends_on")


def do_create_deliberation(
    *,
    title: str,
    agenda: str,
    city: str,
    actor: Any,
    title_en: str = "",
    description: str = "",
    slug: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Deliberation:
    """A new deliberation with the standard stages; its creator is its first organizer."""
    with transaction.atomic():

        def taken(candidate: str) -> bool:
            return Deliberation.objects.filter(slug=candidate).exists()

        if not slug:
            slug = readable_slug(title, title_en, taken=taken)
        elif slug in RESERVED or taken(slug):
            raise ActionRefused(
                "slug_taken", _("Another deliberation has this address; choose another.")
            )
        deliberation = Deliberation(
            slug=slug,
            title=title,
            title_en=title_en,
            agenda=agenda,
            city=city,
            description=description,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        deliberation.full_clean()
        deliberation.save()
        Stage.objects.bulk_create(
            Stage(deliberation=deliberation, kind=kind, order=order)
            for order, kind in enumerate(STANDARD_STAGES, start=1)
        )
        Membership.objects.create(
            deliberation=deliberation, user=actor, role=Role.ORGANIZER, sees_contacts=True
        )
        audit.record(
            "deliberation.created", actor=actor, deliberation=deliberation, obj=deliberation
        )
    return deliberation


def do_update_deliberation(
    deliberation: Deliberation, *, actor: Any, **fields: Any
) -> Deliberation:
    """Edit the titles, agenda, city, description and dates; the address stays, so links
    already sent keep working."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        before = audit.values_of(locked, fields)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
        audit.record(
            "deliberation.updated",
            actor=actor,
            deliberation=locked,
            obj=locked,
            changes=audit.changed(before, locked),
        )
    return locked


def do_set_archived(deliberation: Deliberation, *, archived: bool, actor: Any) -> Deliberation:
    """Archive (or restore) a deliberation: it leaves the home page, its data stays."""
    with transaction.atomic():
        locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        before = audit.values_of(locked, ["archived_at"])
        locked.archived_at = timezone.now() if archived else None
        locked.save(update_fields=["archived_at"])
        audit.record(
            "deliberation.archived" if archived else "deliberation.restored",
            actor=actor,
            deliberation=locked,
            obj=locked,
            changes=audit.changed(before, locked),
        )
    return locked
