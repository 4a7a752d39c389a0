"""Leases of background workers: a dead worker's task is queued again, a live one's is not."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from deliberation.core import background
from deliberation.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def running_task(worker_id: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="panels.runner.compute_selection_run",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="RUNNING",
        started_at=timezone.now(),
        worker_ids=[worker_id],
    )


def test_a_task_held_by_a_worker_whose_lease_expired_is_queued_again(settings):
    settings.TASK_LEASE_SECONDS = 5
    WorkerHeartbeat.objects.create(
        worker_id="dead", seen_at=timezone.now() - datetime.timedelta(seconds=6)
    )
    task = running_task("dead")
    assert background.requeue_abandoned() == 1
    task.refresh_from_db()
    assert (task.status, task.started_at) == ("READY", None)
    assert not WorkerHeartbeat.objects.filter(worker_id="dead").exists()


def test_a_task_held_by_a_live_worker_stays_running(settings):
    settings.TASK_LEASE_SECONDS = 5
    background.beat("alive")
    task = running_task("alive")
    assert background.requeue_abandoned() == 0
    task.refresh_from_db()
    assert task.status == "RUNNING"
