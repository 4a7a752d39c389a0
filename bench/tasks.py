"""Benchmark: background tasks in a separate worker process.

Measures (1) the latency from enqueue to start with one `manage.py worker` polling every
0.2 s, and (2) the HTTP latency of a web process (uvicorn) while the worker computes a long
selection run, as a ratio to the same requests against the idle system in the same run.
Uses a scratch SQLite file (or DATABASE_URL's PostgreSQL database, which it fills with a
bench deliberation). Run by hand:

    python bench/tasks.py [--pool 20000] [--tasks 30] [--requests 200] [--port 8647]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.gettempdir()) / "gongnon-bench-tasks.sqlite3"
if __name__ == "__main__":
    if not os.environ.get("DATABASE_URL"):
        SCRATCH.unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(SCRATCH)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402
from django_tasks import task  # noqa: E402

MANAGE = [sys.executable, str(ROOT / "manage.py")]


@task()
def noop() -> None:
    """A task that does nothing, so its start time is the queue's own latency."""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [*MANAGE, "worker", "--interval", "0.2", "--no-startup-delay", "--verbosity", "0"],
        cwd=ROOT,
    )


def enqueue_latency(count: int) -> list[float]:
    from django_tasks_db.models import DBTaskResult

    from bench.tasks import noop as importable  # the worker imports it by this name

    latencies = []
    for _ in range(count):
        result = importable.enqueue()
        while True:
            row = DBTaskResult.objects.get(id=result.id)
            if row.status == "SUCCESSFUL":
                break
            time.sleep(0.01)
        latencies.append((row.started_at - row.enqueued_at).total_seconds())
    return latencies


def http_latencies(port: int, count: int) -> list[float]:
    url = f"http://127.0.0.1:{port}/accounts/login/"
    out = []
    for _ in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        out.append(time.perf_counter() - started)
        time.sleep(0.02)
    return out


def seed_long_run(pool: int):
    from deliberation.core.models import Deliberation
    from panels.models import PanelPlan, PanelQuota, Volunteer
    from panels.selection import quotas_from_shares

    sys.path.insert(0, str(ROOT / "bench"))
    from bench.selection import SHARES, SIX, make_pool

    deliberation = Deliberation.objects.create(title="bench tasks", slug=f"bench-tasks-{pool}")
    people = make_pool(pool, SIX, 20211)
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                deliberation=deliberation,
                external_id=p["id"],
                record_id=p["id"],
                source=Volunteer.Source.IMPORT,
                features={f: p[f] for f in SIX},
            )
            for p in people
        ]
    )
    PanelPlan.objects.create(deliberation=deliberation, panel_size=300, lottery_size=1000)
    PanelQuota.objects.bulk_create(
        [
            PanelQuota(
                deliberation=deliberation, feature=q.feature, value=q.value, min=q.min, max=q.max
            )
            for q in quotas_from_shares({f: SHARES[f] for f in SIX}, 300, tolerance=0.05)
        ]
    )
    return deliberation


def line(name: str, values: list[float], reference: list[float] | None = None) -> None:
    p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
    text = f"  {name:<34} n={len(values):>4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
    if reference:
        ref50 = percentile(reference, 50) * 1000
        ref95 = percentile(reference, 95) * 1000
        text += f"  ratio p50 {p50 / ref50:5.2f}  p95 {p95 / ref95:5.2f}"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=20000)
    parser.add_argument("--tasks", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=8647)
    args = parser.parse_args()

    subprocess.run([*MANAGE, "migrate", "--verbosity", "0"], cwd=ROOT, check=True)
    django.setup()
    from panels import actions
    from panels.models import SelectionRun

    print(f"database: {django.db.connection.vendor}", flush=True)
    worker = start_worker()
    web = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "--port",
            str(args.port),
            "--no-access-log",
            "--log-level",
            "warning",
            "config.asgi:application",
        ],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http_latencies(args.port, 10)  # warm up
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        print("enqueue → start (one worker, polling every 0.2 s)", flush=True)
        line("noop task", enqueue_latency(args.tasks))

        deliberation = seed_long_run(args.pool)
        print(f"HTTP GET /accounts/login/ on one uvicorn process (pool {args.pool:,})", flush=True)
        idle = http_latencies(args.port, args.requests)
        line("reference: no background work", idle)
        run = actions.do_start_run(deliberation, actor=None, seed=2021)
        while not SelectionRun.objects.filter(pk=run.pk, status="running").exists():
            time.sleep(0.05)
        busy: list[float] = []
        while SelectionRun.objects.filter(pk=run.pk, status="running").exists():
            busy += http_latencies(args.port, 10)
        run.refresh_from_db()
        line("during the selection run", busy, idle)
        print(f"  selection run: {run.status}, timings {run.timings}", flush=True)
    finally:
        for process in (worker, web):
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
