"""One queue for every kind of background work, with leases that outlive a dead worker.

Selection runs, report PDFs, reminder e-mails and the imports of poll and volunteer
files are tasks of django-tasks' database backend, run by `manage.py worker` processes
apart from the web workers. That backend runs a task once: a task left RUNNING by a
worker that was killed would stay so. Each worker therefore renews a lease
(`WorkerHeartbeat`); every worker, at start and periodically, queues again the tasks held
by a worker whose lease expired. The domain rows (a selection run, a render, a reminder
batch, a poll or volunteer file) remain what people see, and each task is idempotent, so
running it again after a kill completes it correctly.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from deliberation.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A domain row committed without a task id yet is waiting for its on-commit enqueue; only
# a process that died in that moment leaves it so for longer.
ENQUEUE_GRACE = datetime.timedelta(minutes=1)
ALIVE = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def enqueue_on_commit(task: Any, model: type[models.Model], pk: int) -> None:
    """Queue `task(pk)` once the current transaction commits and note its id on the row.

    The id lets `is_abandoned` tell a row whose task is still alive from one whose task
    is gone.
    """

    def enqueue() -> None:
        result = task.enqueue(pk)
        model._default_manager.filter(pk=pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def is_abandoned(task_id: str, created_at: datetime.datetime) -> bool:
    """True when no worker will ever finish the work of a row still marked active."""
    if not task_id:
        return created_at < timezone.now() - ENQUEUE_GRACE
    try:
        uuid.UUID(task_id)
    except ValueError:
        return True  # a task run inline (tests) finished with the call that enqueued it
    return not DBTaskResult.objects.filter(id=task_id, status__in=ALIVE).exists()


def queue_is_durable() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def worker_seen_recently() -> bool:
    """Whether some worker renewed its lease lately (always true when tasks run inline)."""
    if not queue_is_durable():
        return True
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - lease() * 2).exists()


def beat(worker_id: str) -> None:
    """Renew this worker's lease."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
        )


def requeue_abandoned() -> int:
    """Queue again every task held by a worker whose lease expired; returns how many."""
    cutoff = timezone.now() - lease()
    with transaction.atomic():
        dead = set(
            WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).values_list("worker_id", flat=True)
        )
        if not dead:
            return 0
        held = [
            task.pk
            for task in DBTaskResult.objects.running().select_for_update().only("id", "worker_ids")
            if task.worker_ids and task.worker_ids[-1] in dead
        ]
        count = DBTaskResult.objects.filter(pk__in=held, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    if count:
        logger.warning("queued again %s tasks of stopped workers %s", count, sorted(dead))
    return count


class Heartbeat(threading.Thread):
    """Renews a worker's lease and re-queues abandoned tasks, beside the task being run."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = max(settings.TASK_LEASE_SECONDS / 3, 0.5)
        self.stopped = threading.Event()

    def tick(self) -> None:
        try:
            beat(self.worker_id)
            requeue_abandoned()
        except DatabaseError:
            logger.warning("worker %s could not renew its lease", self.worker_id, exc_info=True)
        finally:
            connection.close()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.tick()

    def stop(self) -> None:
        self.stopped.set()
