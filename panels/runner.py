"""Computing a selection run away from the request: the worker function and its thread."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, transaction
from django.utils import timezone

from panels import selection
from panels.audit_record import lottery_to_json
from panels.lottery import round_to_lottery
from panels.models import SelectionRun
from panels.problem import problem_from_snapshot

logger = logging.getLogger(__name__)


def _update(run_id: int, **fields) -> None:
    SelectionRun.objects.filter(pk=run_id).update(**fields)


def execute_run(run_id: int) -> SelectionRun:
    """Compute LEXIMIN probabilities and the lottery for a queued run, recording progress."""
    claimed = SelectionRun.objects.filter(pk=run_id, status=SelectionRun.Status.QUEUED).update(
        status=SelectionRun.Status.RUNNING,
        started_at=timezone.now(),
        progress="Checking the quotas",
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
        _update(run_id, progress="Computing LEXIMIN selection probabilities", timings=timings)
        started = time.perf_counter()
        result = selection.leximin(problem, seed=run.seed)
        timings["leximin_seconds"] = round(time.perf_counter() - started, 3)
        _update(run_id, progress="Rounding to a lottery of panels", timings=timings)
        started = time.perf_counter()
        lottery = build_lottery(result, int(run.inputs.get("lottery_size", 1000)))
        timings["lottery_seconds"] = round(time.perf_counter() - started, 3)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the run
        logger.exception("selection run %s failed", run_id)
        _update(
            run_id,
            status=SelectionRun.Status.FAILED,
            finished_at=timezone.now(),
            progress="",
            error=str(exc) or exc.__class__.__name__,
            timings=timings,
        )
        return SelectionRun.objects.get(pk=run_id)
    with transaction.atomic():
        run = SelectionRun.objects.select_for_update().get(pk=run_id)
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


def start_in_background(run_id: int) -> threading.Thread:
    """Run the computation in a daemon thread with its own database connection."""

    def work() -> None:
        close_old_connections()
        try:
            execute_run(run_id)
        finally:
            close_old_connections()

    thread = threading.Thread(target=work, name=f"selection-run-{run_id}", daemon=True)
    thread.start()
    return thread
