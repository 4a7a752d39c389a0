"""Computing a selection run in a background worker: the task and its steps.

The task is idempotent: a worker killed mid-run leaves the run RUNNING, the queue hands the
task to another worker (deliberation/core/background.py), and the run starts again from
its frozen inputs with the same seed, so it ends with the same result. Between steps the
run is read again, so an organizer's cancellation stops it.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from panels import selection
from panels.audit_record import lottery_to_json
from panels.lottery import round_to_lottery
from panels.models import SelectionRun
from panels.problem import problem_from_snapshot

logger = logging.getLogger(__name__)


class RunStopped(Exception):
    """The run was cancelled (or finished elsewhere) while it was being computed."""


def _step(run_id: int, **fields) -> None:
    """Record progress, unless the run is no longer running: then stop the computation."""
    if not SelectionRun.objects.filter(pk=run_id, status=SelectionRun.Status.RUNNING).update(
        **fields
    ):
        raise RunStopped


def execute_run(run_id: int) -> SelectionRun:
    """Compute LEXIMIN probabilities and the lottery for a queued run, recording progress.

    A run already RUNNING is one whose worker died; it is computed again from scratch.
    """
    claimed = SelectionRun.objects.filter(pk=run_id, status__in=SelectionRun.ACTIVE).update(
        status=SelectionRun.Status.RUNNING,
        started_at=timezone.now(),
        progress=SelectionRun.Progress.CHECKING_QUOTAS,
        error="",
        timings={},
    )
    run = SelectionRun.objects.get(pk=run_id)
    if not claimed:
        return run
    timings: dict[str, float] = {}
    try:
        started = time.perf_counter()
        problem = problem_from_snapshot(run.inputs)
        report = selection.check_feasibility(problem)
        timings["feasibility_seconds"] = round(time.perf_counter() - started, 3)
        if not report.feasible:
            raise selection.InfeasibleQuotasError(report)
        _step(run_id, progress=SelectionRun.Progress.COMPUTING_LEXIMIN, timings=timings)
        started = time.perf_counter()
        result = selection.leximin(problem, seed=run.seed)
        timings["leximin_seconds"] = round(time.perf_counter() - started, 3)
        _step(run_id, progress=SelectionRun.Progress.ROUNDING_LOTTERY, timings=timings)
        started = time.perf_counter()
        lottery = build_lottery(result, int(run.inputs.get("lottery_size", 1000)))
        timings["lottery_seconds"] = round(time.perf_counter() - started, 3)
    except RunStopped:
        logger.info("selection run %s stopped: it is no longer running", run_id)
        return SelectionRun.objects.get(pk=run_id)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the run
        logger.exception("selection run %s failed", run_id)
        SelectionRun.objects.filter(pk=run_id, status=SelectionRun.Status.RUNNING).update(
            status=SelectionRun.Status.FAILED,
            finished_at=timezone.now(),
            progress="",
            error=str(exc) or exc.__class__.__name__,
            timings=timings,
        )
        return SelectionRun.objects.get(pk=run_id)
    with transaction.atomic():
        run = SelectionRun.objects.select_for_update().get(pk=run_id)
        if run.status != SelectionRun.Status.RUNNING:
            return run
        run.status = SelectionRun.Status.DONE
        run.finished_at = timezone.now()
        run.progress = ""
        run.inputs_digest = selection.inputs_digest(problem)
        run.algorithm = f"{result.algorithm}/{result.version}"
        run.probabilities = result.person_probabilities
        run.min_probability = result.min_probability
        run.max_probability = result.max_probability
        run.gini = result.gini
        run.lottery = lottery
        run.timings = timings
        run.save()
    return run


def build_lottery(result: selection.SelectionResult, size: int) -> dict:
    return lottery_to_json(round_to_lottery(result, m=size))


@task()
def compute_selection_run(run_id: int) -> str:
    """The queued task of a selection run; returns the status the run ended with."""
    return execute_run(run_id).status
