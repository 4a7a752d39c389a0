"""Recompute a panel draw from its audit record and confirm nothing was changed."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from panels.audit_record import verify_record


class Command(BaseCommand):
    help = (
        "Verify a panel draw: AUDIT is the id of a selection audit in the database or the path "
        "of an exported audit record (JSON). Exits non-zero if any check fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("audit", help="audit id, or path to selection-audit-N.json")

    def handle(self, *args, audit: str, **options) -> None:
        record = self._load(audit)
        result = verify_record(record)
        for line in result.checks:
            self.stdout.write(f"ok   {line}")
        for line in result.problems:
            self.stderr.write(f"FAIL {line}")
        if not result.ok:
            raise CommandError("The draw could not be confirmed.")
        self.stdout.write(self.style.SUCCESS("The draw is confirmed."))

    def _load(self, audit: str) -> dict:
        path = Path(audit)
        if path.is_file():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from None
        if not audit.isdigit():
            raise CommandError(f"{audit} is neither a file nor an audit id.")
        from panels.models import SelectionAudit
        from panels.selectors import audit_record

        try:
            record = SelectionAudit.objects.select_related("run", "deliberation").get(pk=audit)
        except SelectionAudit.DoesNotExist:
            raise CommandError(f"No selection audit with id {audit}.") from None
        return audit_record(record)
