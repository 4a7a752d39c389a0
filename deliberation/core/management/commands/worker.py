"""`manage.py worker`: django-tasks' `db_worker` holding a lease while it lives."""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from deliberation.core.background import Heartbeat


class Command(DBWorkerCommand):
    help = (
        "Run background tasks (selection runs, report PDFs, reminders, file imports). A task "
        "left running by a worker that died is queued again once that worker's lease expires."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # A reload kills the running task; a worker is started for its queue, not for code edits.
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, worker_id: str, reload: bool, **options: Any) -> None:
        if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            heartbeat = Heartbeat(worker_id)
            # The lease exists before the first claim, so every claimed task has one.
            heartbeat.tick()
            heartbeat.start()
        super().handle(*args, worker_id=worker_id, reload=reload, **options)
