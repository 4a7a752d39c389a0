"""Background work survives its worker: real `manage.py worker` processes, one killed -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from panels import actions
from panels.models import SelectionRun
from tests.factories import DeliberationFactory, UserFactory
from tests.panels.pool_helpers import add_slow_pool

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(settings.BASE_DIR) / "manage.py"
LEASE_SECONDS = 2


def worker_environment() -> dict[str, str]:
    """The environment of a worker process that uses this test's database."""
    db = connection.settings_dict
    env = {**os.environ, "TASK_LEASE_SECONDS": str(LEASE_SECONDS), "DEBUG": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = db["NAME"]
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def durable_queue(settings):
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        pytest.skip("the SQLite test database is in memory; worker processes cannot share it")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_LEASE_SECONDS = LEASE_SECONDS
    workers: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = start_worker(worker_environment())
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_selection_run_whose_worker_is_killed_completes_on_another_worker(durable_queue):
    deliberation = DeliberationFactory()
    add_slow_pool(deliberation)
    run = actions.do_start_run(deliberation, actor=UserFactory(), seed=7)
    run.refresh_from_db()
    assert run.task_id, "the run's task was queued on commit"

    first = durable_queue()
    wait_for(
        lambda: SelectionRun.objects.filter(pk=run.pk, status="running").exists(),
        60,
        "the first worker to start the run",
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.RUNNING, "killed before the run could finish"

    second = durable_queue()
    wait_for(
        lambda: SelectionRun.objects.filter(pk=run.pk).exclude(status="running").exists(),
        120,
        "the second worker to finish the run",
    )
    assert second.poll() is None
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE, run.error
    assert run.lottery["size"] == 1000 and run.seed == 7
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 2
