"""Load test of online fieldwork against a real ASGI server on PostgreSQL.

Run by hand from the repository root (PostgreSQL on 127.0.0.1:5432 must be running):

    python -m bench.poll_load [--respondents 1000] [--arrival-seconds 60] [--servers 2]
                              [--server uvicorn|daphne]

It creates a scratch database (gongnon_bench_poll unless --database names another), seeds
the demo's 30-question poll, starts the ASGI server processes (uvicorn, as recommended for
production, or daphne), and runs two phases:

(a) fieldwork: respondents arrive evenly over the arrival window; each opens the link
    (consent page), consents and answers the screener, loads the questionnaire, thinks,
    and submits; 5% double-click the submit button (two submissions at once). Prints the
    responses stored (must equal the respondents), duplicates stored (must be 0) and
    p50/p95/p99 latency, against the latency of the landing page measured in the same run.
(b) burst: as many respondents, already past the screener, submit as fast as the server
    takes them; prints responses stored (must be exact) and submissions per second.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "gongnon_bench_poll"
PG = "postgres://postgres@127.0.0.1:5432"
CSRF = secrets.token_hex(16)  # a 32-character secret: the cookie and the form field agree
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "LOG_LEVEL": "WARNING",
    # Under ASGI each request runs in its own thread: share connections through a pool.
    "DATABASE_POOL_SIZE": "8",
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(name: str) -> None:
    SERVER_ENV["DATABASE_URL"] = f"{PG}/{name}"
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(respondents: int) -> dict:
    """Two waves of the demo questionnaire (fieldwork and burst) with one-time links."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from deliberation.core.models import Deliberation
    from panels import demo as panels_demo
    from surveys import actions, selectors
    from surveys import demo as surveys_demo
    from surveys.models import FieldworkQuota, Wave

    deliberation = Deliberation.objects.create(
        slug="bench", title="Benchmark", agenda="waste", city="Seoul", is_demo=True
    )
    panels_demo.seed_margins(deliberation)
    panels_demo.seed_regions(deliberation)
    questionnaire = surveys_demo.seed_questionnaire(deliberation)
    waves = {}
    for label in ("fieldwork", "burst"):
        waves[label] = Wave.objects.create(
            deliberation=deliberation,
            questionnaire=questionnaire,
            kind=Wave.Kind.POLL,
            label=label,
            title=label,
            is_open=True,
            reference_year=2021,
        )
        for region in panels_demo.APPROXIMATE_SEOUL_MARGINS["region"]:
            FieldworkQuota.objects.create(wave=waves[label], region=region, target=respondents * 2)
    tokens = {label: actions.do_create_invitations(w, respondents) for label, w in waves.items()}
    districts = [d for ds in panels_demo.SEOUL_DISTRICTS.values() for d in ds]
    rng = random.Random(7)
    for token in tokens["burst"]:
        invitation = selectors.invitation_for_token(token)
        actions.do_start_response(
            invitation,
            actions.Screener(
                district=rng.choice(districts),
                gender=rng.choice(["남성", "여성"]),
                birth_year=rng.randint(1940, 2000),
            ),
        )
    return {"tokens": tokens, "waves": {k: w.pk for k, w in waves.items()}, "districts": districts}


def answers(rng: random.Random) -> dict[str, list[str]]:
    """A valid set of answers to the demo questionnaire, honouring its show-if rules."""
    from surveys.demo import QUESTIONS

    data: dict[str, list[str]] = {}
    for code, kind, _ko, _en, extra in QUESTIONS:
        if "show_if" in extra:
            source, wanted = extra["show_if"]
            if not set(data.get(source, [])) & {str(v) for v in wanted}:
                continue
        if kind in {"single", "knowledge"}:
            data[code] = [str(rng.choice(extra["options"])[0])]
        elif kind == "likert":
            data[code] = [str(rng.randint(1, extra["points"]))]
        elif kind == "scale10":
            data[code] = [str(rng.randint(0, 10))]
        elif kind == "multiple":
            options = [str(o[0]) for o in extra["options"]]
            data[code] = rng.sample(options, rng.randint(1, extra["max"]))
        elif kind == "grid":
            for row, _k, _e in extra["rows"]:
                data[f"{code}_{row}"] = [str(rng.randint(1, extra["points"]))]
        elif kind == "numeric":
            data[code] = [str(rng.randint(int(extra["min"]), min(int(extra["max"]), 20)))]
        elif kind == "short_text":
            data[code] = ["재활용"]
    return data


class Client:
    """One respondent's keep-alive connection; every request's latency is recorded."""

    def __init__(self, port: int, latencies: dict[str, list[float]], lock: threading.Lock):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.latencies, self.lock = latencies, lock

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> int:
        headers = {"Cookie": f"csrftoken={CSRF}", "Accept-Language": "ko"}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": CSRF}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise
        elapsed = time.perf_counter() - start
        with self.lock:
            self.latencies.setdefault(kind, []).append(elapsed)
        return response.status

    def close(self) -> None:
        self.conn.close()


def respondent(port, token, rng, districts, double, think, latencies, lock, statuses) -> None:
    path = f"/surveys/take/{token}/"
    client = Client(port, latencies, lock)
    try:
        client.request("consent page", "GET", path)
        screener = {
            "consent": "on",
            "sensitive_consent": "on",
            "district": rng.choice(districts),
            "gender": rng.choice(["남성", "여성"]),
            "birth_year": str(rng.randint(1940, 2000)),
        }
        client.request("screener", "POST", path, screener)
        client.request("questionnaire", "GET", path)
        time.sleep(think)
        form = {**answers(rng), "action": ["submit"]}
        if double:
            second = Client(port, latencies, lock)
            with ThreadPoolExecutor(2) as pair:
                futures = [
                    pair.submit(c.request, "submit", "POST", path, form) for c in (client, second)
                ]
                codes = [f.result() for f in futures]
            second.close()
        else:
            codes = [client.request("submit", "POST", path, form)]
        with lock:
            statuses.extend(codes)
    finally:
        client.close()


def server_command(server: str, port: int) -> list[str]:
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def start_servers(server: str, count: int, base_port: int) -> list[subprocess.Popen]:
    env = {**os.environ, **SERVER_ENV}
    servers = []
    for i in range(count):
        servers.append(
            subprocess.Popen(
                [*server_command(server, base_port + i), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    deadline = time.time() + 30
    for i in range(count):
        while True:
            try:
                socket.create_connection(("127.0.0.1", base_port + i), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or servers[i].poll() is not None:
                    raise SystemExit(f"{server} did not start") from None
                time.sleep(0.2)
    return servers


def stored(wave_id: int) -> tuple[int, int]:
    """(complete responses, duplicates): extra responses per invitation or answers per item."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM surveys_response WHERE wave_id = %s AND status = 'complete'",
            [wave_id],
        )
        complete = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) - count(DISTINCT invitation_id) FROM surveys_response "
            "WHERE wave_id = %s",
            [wave_id],
        )
        extra_responses = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) - count(DISTINCT (a.response_id, a.item)) FROM surveys_answer a "
            "JOIN surveys_response r ON r.id = a.response_id WHERE r.wave_id = %s",
            [wave_id],
        )
        extra_answers = cursor.fetchone()[0]
    return complete, extra_responses + extra_answers


def cpu_seconds(servers: list[subprocess.Popen]) -> float:
    """CPU time the server processes have used so far (Linux /proc; 0 elsewhere).

    Unlike latency, this hardly depends on what else the machine is running."""
    total = 0.0
    for server in servers:
        try:
            fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def report_latency(name: str, values: list[float], reference: float) -> None:
    ms = [v * 1000 for v in values]
    p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
    print(
        f"  {name:<14} n={len(ms):>5}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"
        f"  (p50 = {p50 / reference:5.1f} x landing page)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--arrival-seconds", type=float, default=60)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    parser.add_argument("--double-share", type=float, default=0.05)
    parser.add_argument("--burst-threads", type=int, default=16)
    parser.add_argument("--servers", type=int, default=2, help="server processes (one per core)")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--database", default=DB_NAME, help="scratch database, dropped first")
    args = parser.parse_args()

    print(f"Preparing database {args.database} and {args.respondents} links per phase ...")
    recreate_database(args.database)
    setup_django(args.database)
    seeded = seed(args.respondents)
    from django.db import connection

    connection.close()
    servers = start_servers(args.server, args.servers, args.port)
    ports = [args.port + i for i in range(args.servers)]
    try:
        lock = threading.Lock()
        latencies: dict[str, list[float]] = {}
        for port in ports:  # every server process, not only the one measured for reference
            warm_up = Client(port, latencies, lock)
            for _ in range(20):
                warm_up.request("warm-up", "GET", "/")
            warm_up.close()
        reference_client = Client(ports[0], latencies, lock)
        for _ in range(200):
            reference_client.request("landing page", "GET", "/")
        reference_client.close()
        reference = statistics.median(latencies["landing page"]) * 1000

        print(
            f"(a) fieldwork: {args.respondents} respondents over {args.arrival_seconds:g} s, "
            f"think {args.think[0]:g}-{args.think[1]:g} s, {args.double_share:.0%} double submit, "
            f"{args.servers} {args.server} process(es)"
        )
        rng = random.Random(2021)
        statuses: list[int] = []
        field_latencies: dict[str, list[float]] = {}
        started, cpu_before = time.perf_counter(), cpu_seconds(servers)
        with ThreadPoolExecutor(max_workers=600) as pool:
            futures = []
            for i, token in enumerate(seeded["tokens"]["fieldwork"]):
                due = started + i * args.arrival_seconds / args.respondents
                time.sleep(max(0.0, due - time.perf_counter()))
                futures.append(
                    pool.submit(
                        respondent,
                        ports[i % len(ports)],
                        token,
                        random.Random(rng.random()),
                        seeded["districts"],
                        rng.random() < args.double_share,
                        rng.uniform(*args.think),
                        field_latencies,
                        lock,
                        statuses,
                    )
                )
            errors = [f.exception() for f in futures if f.exception() is not None]
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(servers) - cpu_before
        complete, duplicates = stored(seeded["waves"]["fieldwork"])
        print(f"  finished in {elapsed:.1f} s; client errors: {len(errors)}")
        print(f"  responses stored: {complete} (expected {args.respondents})")
        print(f"  duplicates stored: {duplicates} (expected 0)")
        print(
            f"  submit answers: {statuses.count(302)} accepted, {statuses.count(409)} refused as "
            f"already submitted, {len(statuses) - statuses.count(302) - statuses.count(409)} other"
        )
        print(
            f"  server CPU: {server_cpu * 1000 / args.respondents:.1f} ms per respondent"
            f" ({server_cpu:.1f} s; load average {os.getloadavg()[0]:.2f})"
        )
        print(f"  landing page reference: p50 {reference:.1f} ms")
        every = [v for values in field_latencies.values() for v in values]
        report_latency("all requests", every, reference)
        for name in ("consent page", "screener", "questionnaire", "submit"):
            report_latency(name, field_latencies.get(name, []), reference)
        p95 = percentile([v * 1000 for v in every], 95)
        print(f"  target p95 < 250 ms: {'met' if p95 < 250 else 'NOT met'} ({p95:.1f} ms)")

        print(f"(b) burst: {args.respondents} submissions, {args.burst_threads} client threads")
        burst_latencies: dict[str, list[float]] = {}
        burst_statuses: list[int] = []
        local = threading.local()

        def submit(index_token):
            index, token = index_token
            if not hasattr(local, "client"):
                local.client = Client(ports[index % len(ports)], burst_latencies, lock)
            form = {**answers(random.Random(index)), "action": ["submit"]}
            code = local.client.request("submit", "POST", f"/surveys/take/{token}/", form)
            with lock:
                burst_statuses.append(code)

        started, cpu_before = time.perf_counter(), cpu_seconds(servers)
        with ThreadPoolExecutor(max_workers=args.burst_threads) as pool:
            list(pool.map(submit, enumerate(seeded["tokens"]["burst"])))
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(servers) - cpu_before
        complete, duplicates = stored(seeded["waves"]["burst"])
        print(
            f"  responses stored: {complete} (expected {args.respondents}); duplicates {duplicates}"
        )
        accepted = burst_statuses.count(302)
        print(f"  accepted {accepted}, other {len(burst_statuses) - accepted}")
        print(f"  throughput: {args.respondents / elapsed:.1f} submissions/s ({elapsed:.1f} s)")
        print(
            f"  server CPU: {server_cpu * 1000 / args.respondents:.1f} ms per submission"
            f" (load average {os.getloadavg()[0]:.2f})"
        )
        report_latency("submit", burst_latencies["submit"], reference)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
