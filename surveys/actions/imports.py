"""Imports of polling firms' files: the upload, the checked mapping, the rows in bulk.

Reading and checking a file and writing its rows take long for a large poll, so the web
request only records the job on the PollImport row and queues it; a background worker
(deliberation/core/background.py) does it and records its step, and the page follows the
row. The job is idempotent: run again after its worker was killed, it finds the rows
already written (same respondent ids) or the file already imported and adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from deliberation.core import audit, background
from deliberation.core.actions import ActionRefused
from surveys import imports, poll_import
from surveys.actions.fieldwork import answer_values, insert_answers
from surveys.actions.quality import do_refresh_quality_flags
from surveys.models import PollImport, Response, Wave
from surveys.poll_files import PollFileError
from surveys.questionnaires import questions_of, specs_of

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
    """Write the good rows in bulk, all or nothing; respondent ids already present are kept.

    The answers go through insert_answers (COPY or multi-row INSERTs) in this transaction,
    so a row the database refuses undoes the whole import."""
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
        insert_answers(
            row
            for good in fresh
            for row in answer_values(ids[good.respondent_id], index, good.values)
        )
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
    """Import a validated file's rows and mark it imported, in one transaction; the
    wave remembers the file's column mapping.

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
        # The wave's next file is mapped like this one to begin with.
        Wave.objects.filter(pk=locked.wave_id).update(import_mapping=locked.mapping)
    return result


def job_alive(poll: PollImport) -> bool:
    """A queued or running job a worker will still finish (not one lost with its process)."""
    return poll.job_active and not background.is_abandoned(
        poll.task_id, poll.queued_at or poll.created_at
    )


def _queue(locked: PollImport, job: str, **fields: Any) -> PollImport:
    for name, value in {
        "job": job,
        "job_status": PollImport.JobStatus.QUEUED,
        "progress": "",
        "error": "",
        "task_id": "",
        "queued_at": timezone.now(),
        "finished_at": None,
        **fields,
    }.items():
        setattr(locked, name, value)
    locked.save()
    background.enqueue_on_commit(run_poll_import, PollImport, locked.pk)
    return locked


def do_queue_check(
    poll: PollImport, mapping: dict[str, str], *, language: str = "ko", actor: Any = None
) -> PollImport:
    """Record the column mapping and queue the check of every row against it."""
    with transaction.atomic():
        locked = PollImport.objects.select_for_update().get(pk=poll.pk)
        if locked.status == PollImport.Status.IMPORTED:
            raise ActionRefused("imported", _("This file has been imported already."))
        if job_alive(locked):
            raise ActionRefused("busy", _("This file is being checked or imported already."))
        problems = imports.mapping_problems(locked.wave, mapping)
        if problems:
            raise ActionRefused("mapping", "; ".join(problems))
        audit.record(
            "import.check_queued",
            actor=actor,
            deliberation=locked.wave.deliberation_id,
            obj=locked,
            label=locked.filename,
            changes=audit.changes_between({"mapping": locked.mapping}, {"mapping": mapping}),
        )
        return _queue(
            locked,
            PollImport.Job.CHECK,
            mapping=mapping,
            report={},
            status=PollImport.Status.UPLOADED,
            language=language[:10],
        )


def do_queue_import(
    poll: PollImport, *, skip_invalid: bool = False, language: str = "ko", actor: Any = None
) -> PollImport:
    """Queue the import of a checked file's rows."""
    with transaction.atomic():
        locked = PollImport.objects.select_for_update().get(pk=poll.pk)
        if locked.status != PollImport.Status.VALIDATED:
            raise ActionRefused("not_ready", _("This file is not ready to import."))
        if job_alive(locked):
            raise ActionRefused("busy", _("This file is being checked or imported already."))
        audit.record(
            "import.queued",
            actor=actor,
            deliberation=locked.wave.deliberation_id,
            obj=locked,
            label=locked.filename,
            extra={"skip_invalid": skip_invalid},
        )
        return _queue(
            locked, PollImport.Job.IMPORT, skip_invalid=skip_invalid, language=language[:10]
        )


class JobStopped(Exception):
    """The job was cancelled (or ended elsewhere) while the worker was at it."""


def _step(import_id: int, **fields: Any) -> None:
    """Record the job's step, unless it is no longer running: then stop it."""
    if not PollImport.objects.filter(pk=import_id, job_status=PollImport.JobStatus.RUNNING).update(
        **fields
    ):
        raise JobStopped


def _finish(import_id: int, job_status: str, error: str = "") -> None:
    PollImport.objects.filter(pk=import_id, job_status=PollImport.JobStatus.RUNNING).update(
        job_status=job_status, error=error, progress="", finished_at=timezone.now()
    )


def run_import_job(import_id: int) -> str:
    """Check or import one file as its queued job says; returns the job status it ended with.

    A job left RUNNING is one whose worker died: it is done again from the file.
    """
    claimed = PollImport.objects.filter(pk=import_id, job_status__in=PollImport.ACTIVE).update(
        job_status=PollImport.JobStatus.RUNNING, progress=PollImport.Progress.READING
    )
    poll = PollImport.objects.select_related("wave__questionnaire").get(pk=import_id)
    if not claimed:
        return poll.job_status
    with translation.override(poll.language):
        _run_job(poll)
    return PollImport.objects.values_list("job_status", flat=True).get(pk=import_id)


def _run_job(poll: PollImport) -> None:
    """The job's work; its result and its end are committed together, so a cancellation
    either comes first and nothing is written, or finds the job already done."""
    import_id = poll.pk
    try:
        table = imports.load(poll)
        _step(import_id, progress=PollImport.Progress.VALIDATING)
        validation, index = imports.validate(poll.wave, table, poll.mapping)
        report = imports.report(validation)
        if poll.job == PollImport.Job.IMPORT:
            _step(import_id, progress=PollImport.Progress.WRITING)
        with transaction.atomic():
            locked = PollImport.objects.select_for_update().get(pk=import_id)
            if locked.job_status != PollImport.JobStatus.RUNNING:
                raise JobStopped
            if locked.job == PollImport.Job.CHECK:
                do_save_mapping(locked, locked.mapping, report)
            elif locked.status != PollImport.Status.IMPORTED:
                do_import_file(
                    locked, validation, index, report=report, skip_invalid=locked.skip_invalid
                )
                # Imported interview times and grids are checked like online ones.
                do_refresh_quality_flags(
                    locked.wave, specs_of(questions_of(locked.wave.questionnaire))
                )
            _finish(import_id, PollImport.JobStatus.DONE)
    except JobStopped:
        logger.info("poll import %s stopped: its job is no longer running", import_id)
    except ImportRefused:
        _finish(import_id, PollImport.JobStatus.FAILED, PollImport.Error.INVALID_ROWS)
    except PollFileError:
        logger.warning("poll import %s: the stored file cannot be read", import_id)
        _finish(import_id, PollImport.JobStatus.FAILED, PollImport.Error.UNREADABLE)
    except Exception:
        logger.exception("poll import %s failed", import_id)
        _finish(import_id, PollImport.JobStatus.FAILED, PollImport.Error.FAILED)


def do_cancel_import_job(poll: PollImport, *, actor: Any = None) -> PollImport:
    """Cancel a queued or running check or import; the worker stops and writes nothing."""
    with transaction.atomic():
        locked = PollImport.objects.select_for_update().get(pk=poll.pk)
        if not locked.job_active:
            raise ActionRefused(
                "not_active", _("This job has already ended; nothing was cancelled.")
            )
        locked.job_status = PollImport.JobStatus.CANCELLED
        locked.progress = ""
        locked.finished_at = timezone.now()
        locked.save(update_fields=["job_status", "progress", "finished_at"])
        audit.record(
            "import.cancelled",
            actor=actor,
            deliberation=locked.wave.deliberation_id,
            obj=locked,
            label=locked.filename,
        )
    return locked


@task()
def run_poll_import(import_id: int) -> str:
    """The queued task of a poll file's check or import."""
    return run_import_job(import_id)
