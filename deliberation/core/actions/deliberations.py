"""Deliberations: created, edited and archived by organizers in the product."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.models import Deliberation, Membership, Stage
from deliberation.core.roles import Role
from deliberation.core.slugs import RESERVED, readable_slug

logger = logging.getLogger(__name__)

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
        Membership.objects.create(deliberation=deliberation, user=actor, role=Role.ORGANIZER)
        transaction.on_commit(
            lambda: logger.info(
                "deliberation %s created by %s", deliberation.pk, getattr(actor, "pk", None)
            )
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
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save(update_fields=list(fields))
        transaction.on_commit(
            lambda: logger.info(
                "deliberation %s edited by %s", locked.pk, getattr(actor, "pk", None)
            )
        )
    return locked


def do_set_archived(deliberation: Deliberation, *, archived: bool, actor: Any) -> Deliberation:
    """Archive (or restore) a deliberation: it leaves the home page, its data stays."""
    with transaction.atomic():
        locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        locked.archived_at = timezone.now() if archived else None
        locked.save(update_fields=["archived_at"])
        transaction.on_commit(
            lambda: logger.info(
                "deliberation %s %s by %s",
                locked.pk,
                "archived" if archived else "restored",
                getattr(actor, "pk", None),
            )
        )
    return locked
