"""Imports of polling firms' files: the upload, the checked mapping, the rows in bulk."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from deliberation.core import audit
from surveys import poll_import
from surveys.actions.fieldwork import answer_rows
from surveys.models import Answer, PollImport, Response, Wave

logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    """Rows are invalid and the organizer did not choose to skip them: nothing imported."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int
    skipped_invalid: int


def do_import_poll(
    wave: Wave,
    validation: poll_import.Validation,
    index: Mapping[str, int],
    *,
    skip_invalid: bool = False,
    actor: Any = None,
) -> ImportResult:
    """Write the good rows in bulk, all or nothing; respondent ids already present are kept."""
    if validation.bad_rows and not skip_invalid:
        raise ImportRefused(f"{len(validation.bad_rows)} rows are invalid")
    batch = 2000
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        existing = set(Response.objects.filter(wave=wave).values_list("respondent_id", flat=True))
        fresh = [row for row in validation.good if row.respondent_id not in existing]
        now = timezone.now()
        responses = Response.objects.bulk_create(
            [
                Response(
                    wave=wave,
                    respondent_id=row.respondent_id,
                    source=Response.Source.IMPORTED,
                    status=Response.Status.COMPLETE,
                    region=row.profile.get(poll_import.REGION, ""),
                    district=row.profile.get(poll_import.DISTRICT, ""),
                    gender=row.profile.get(poll_import.GENDER, ""),
                    birth_year=row.profile.get(poll_import.BIRTH_YEAR),
                    age_band=row.profile.get(poll_import.AGE_BAND, ""),
                    duration_seconds=row.profile.get(poll_import.DURATION),
                    submitted_at=now,
                )
                for row in fresh
            ],
            batch_size=batch,
        )
        if responses and responses[0].pk is None:
            ids = dict(
                Response.objects.filter(
                    wave=wave, respondent_id__in=[r.respondent_id for r in fresh]
                ).values_list("respondent_id", "pk")
            )
        else:
            ids = {r.respondent_id: r.pk for r in responses}
        answers: list[Answer] = []
        for row in fresh:
            answers += answer_rows(ids[row.respondent_id], index, row.values)
            if len(answers) >= batch * 5:
                Answer.objects.bulk_create(answers, batch_size=batch)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=batch)
        result = ImportResult(
            created=len(fresh),
            already_present=len(validation.good) - len(fresh),
            skipped_invalid=len(validation.bad_rows),
        )
        audit.record(
            "import.done",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra=result.__dict__,
        )
    return result


def do_store_upload(
    wave: Wave, *, filename: str, content: bytes, columns: list[str], actor: Any
) -> PollImport:
    """Keep an uploaded file that could be read, for the organizer to map its columns."""
    with transaction.atomic():
        upload = PollImport.objects.create(
            wave=wave,
            filename=filename[:200],
            content=content,
            columns=columns,
            created_by=actor,
        )
        audit.record(
            "import.uploaded",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=upload,
            label=upload.filename,
            extra={"wave": wave.pk, "columns": len(columns), "bytes": len(content)},
        )
    return upload


def do_save_mapping(
    poll: PollImport, mapping: dict[str, str], report: dict, *, actor: Any = None
) -> PollImport:
    """Record the checked column mapping and the validation report; the file is validated."""
    with transaction.atomic():
        locked = PollImport.objects.select_for_update().get(pk=poll.pk)
        if locked.status == PollImport.Status.IMPORTED:
            raise ImportRefused("this file has been imported already")
        before = audit.values_of(locked, ["mapping"])
        locked.mapping = mapping
        locked.report = report
        locked.status = PollImport.Status.VALIDATED
        locked.save(update_fields=["mapping", "report", "status"])
        audit.record(
            "import.mapped",
            actor=actor,
            deliberation=locked.wave.deliberation_id,
            obj=locked,
            label=locked.filename,
            changes=audit.changed(before, locked),
        )
    return locked


def do_import_file(
    poll: PollImport,
    validation: poll_import.Validation,
    index: Mapping[str, int],
    *,
    report: dict,
    skip_invalid: bool = False,
    actor: Any = None,
) -> ImportResult:
    """Import a validated file's rows and mark it imported, in one transaction.

    A refusal (invalid rows the organizer did not choose to skip) imports nothing and
    keeps the fresh report on the file, so the page lists the rows to correct.
    """
    with transaction.atomic():
        locked = PollImport.objects.select_for_update().get(pk=poll.pk)
        if locked.status != PollImport.Status.VALIDATED:
            raise ImportRefused("this file is not ready to import")
        try:
            result = do_import_poll(
                locked.wave, validation, index, skip_invalid=skip_invalid, actor=actor
            )
        except ImportRefused:
            locked.report = report
            locked.save(update_fields=["report"])
            raise
        locked.status = PollImport.Status.IMPORTED
        locked.report = {**report, "result": result.__dict__}
        locked.save(update_fields=["status", "report"])
    return result
