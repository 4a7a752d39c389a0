"""Erase every copy of a deliberation's citizens' contact data (see surveys.actions.erasure)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from deliberation.core.models import Deliberation
from surveys.actions import do_erase_contact_data


class Command(BaseCommand):
    help = (
        "Erase the contact data of deliberation SLUG: poll volunteers', the pool's and the "
        "panelists' accounts. Answers and statistics stay. Give --confirm SLUG again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("--confirm", required=True, help="the same SLUG, to confirm")
        parser.add_argument("--by", default="", help="e-mail of the organizer who erases")

    def handle(self, *args: Any, slug: str, confirm: str, by: str, **options: Any) -> None:
        if confirm != slug:
            raise CommandError("--confirm must repeat the deliberation's slug; nothing erased")
        deliberation = Deliberation.objects.filter(slug=slug).first()
        if deliberation is None:
            raise CommandError(f"no deliberation with slug {slug!r}")
        actor = None
        if by:
            actor = get_user_model().objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(f"no account with the e-mail {by!r}; nothing erased")
        record = do_erase_contact_data(deliberation, actor=actor)
        self.stdout.write(
            f"erased {slug}: {record.counts['poll_volunteers']} poll volunteers, "
            f"{record.counts['pool']} pool contacts, {record.counts['accounts']} accounts "
            f"({record.counts['accounts_kept']} kept)"
        )
