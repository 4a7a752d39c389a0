"""Load benchmark of the live forum against a minimal broadcast server (the floor).

Two phases with real websocket clients (the ``websockets`` package):

1. groups  — N panelists in groups of 10, each sending a chat message every 5 s;
2. plenary — the same N in one room, receiving everything, while random panelists post
   expert questions and upvotes at 5 events/s.

Gongnon runs as 2 daphne worker processes sharing Redis (channel layer, cache) and
PostgreSQL. The floor is one asyncio process built on ``websockets`` that assigns
sequence numbers in memory and broadcasts; it carries the same traffic in the same run.
Then the Gongnon phases are repeated while one worker is killed (-9) mid-run: its
clients reconnect to the other worker and resume from their last sequence number.

Printed per phase: delivered/expected (every stored event to every client in the room),
duplicates, p50/p99 end-to-end latency (send → receipt), and the ratio to the floor.

    python bench/forum_load.py                 # 300 panelists, 60 s per phase
    python bench/forum_load.py --quick         # 100 panelists, 10 s per phase
    python bench/forum_load.py --duration 30 --panelists 200

Needs PostgreSQL and Redis (see --database-url, --redis-url). The benchmark creates its
own database objects (users, sessions, groups, rooms) under a fresh run prefix.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUP_SIZE = 10
GROUP_INTERVAL = 5.0
PLENARY_RATE = 5.0
P99_TARGET_MS = {"groups": 100, "plenary": 250}
RESUME_TARGET_S = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# The floor: a minimal broadcast server ------------------------------------------------


def run_floor_server(port: int) -> None:
    """In-memory rooms: sequence numbers, replay from last_seq, broadcast to all."""
    import websockets
    from websockets.asyncio.server import broadcast, serve

    rooms: dict[str, dict] = {}

    async def handler(connection) -> None:
        parsed = urlparse(connection.request.path)
        name = parsed.path.rstrip("/").rsplit("/", 1)[-1]
        room = rooms.setdefault(name, {"log": [], "clients": set(), "ids": {}})
        query = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
        last = int(query.get("last_seq", len(room["log"])))
        await connection.send(json.dumps({"type": "welcome", "last_seq": len(room["log"])}))
        for frame in room["log"][last:]:
            await connection.send(frame)
        room["clients"].add(connection)
        try:
            async for raw in connection:
                frame = json.loads(raw)
                key = frame.get("client_id")
                if key in room["ids"]:
                    seq = room["ids"][key]
                else:
                    seq = len(room["log"]) + 1
                    event = json.dumps(
                        {
                            "type": frame["type"],
                            "seq": seq,
                            "text": frame.get("text", ""),
                            "client_id": key,
                        }
                    )
                    room["log"].append(event)
                    room["ids"][key] = seq
                    broadcast(room["clients"], event)
                await connection.send(json.dumps({"type": "ack", "client_id": key, "seq": seq}))
        except websockets.ConnectionClosed:
            pass
        finally:
            room["clients"].discard(connection)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, max_queue=None, ping_interval=None):
            await asyncio.Future()

    asyncio.run(main())


# Clients ---------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Send times by (room, seq) and receipts by client; evaluated after each phase."""

    start_seq: dict[str, int] = field(default_factory=dict)
    sent_at: dict[tuple[str, int], float] = field(default_factory=dict)
    received: dict[int, dict[tuple[str, int], float]] = field(default_factory=dict)
    duplicates: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    reconnects: int = 0
    posted: int = 0
    acked: int = 0
    killed_at: float | None = None
    resumed: list[float] = field(default_factory=list)  # kill -> welcome again, seconds
    cut_off: set[int] = field(default_factory=set)  # clients dropped after the kill
    tag: str = field(default_factory=lambda: secrets.token_hex(4))


class Client:
    def __init__(self, index: int, room: str, urls: list[str], headers: dict, recorder: Recorder):
        self.index = index
        self.room = room
        self.urls = urls
        self.worker = index % len(urls)
        self.headers = headers
        self.recorder = recorder
        self.last_seq: int | None = None
        self.pending: dict[str, tuple[dict, float]] = {}
        self.connection = None
        self.connected = asyncio.Event()
        self.questions: list[int] = []
        self.upvoted: set[int] = set()
        self.stopping = False
        self.dropped = False
        self.counter = 0
        recorder.received[index] = {}

    async def run(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        while not self.stopping:
            url = self.urls[self.worker]
            if self.last_seq is not None:
                url += f"?last_seq={self.last_seq}"
            try:
                async with connect(
                    url,
                    additional_headers=self.headers,
                    # The page's own origin: the server admits no other.
                    origin="http://" + url.split("://", 1)[1].split("/", 1)[0],
                    max_queue=None,
                    ping_interval=None,
                    open_timeout=30,
                ) as connection:
                    self.connection = connection
                    async for raw in connection:
                        self.handle(json.loads(raw))
            except (TimeoutError, ConnectionClosed, OSError, InvalidStatus):
                pass
            self.connection = None
            self.connected.clear()
            if self.stopping:
                return
            self.dropped = True
            if self.recorder.killed_at is not None:
                self.recorder.cut_off.add(self.index)
            self.recorder.reconnects += 1
            self.worker = (self.worker + 1) % len(self.urls)
            await asyncio.sleep(0.2 + random.random() * 0.5)

    def handle(self, frame: dict) -> None:
        kind = frame.get("type")
        now = time.monotonic()
        if kind == "welcome":
            if self.last_seq is None:
                self.last_seq = frame["last_seq"]
            elif self.recorder.killed_at is not None and self.dropped:
                # Back on a worker; the replay of what it missed follows the welcome.
                self.recorder.resumed.append(now - self.recorder.killed_at)
            self.dropped = False
            self.connected.set()
            # Only chat messages are resent: the server stores a client_id once. Other
            # actions sent on a connection that died are given up.
            for client_id, (message, _) in list(self.pending.items()):
                if message["type"] == "message":
                    asyncio.ensure_future(self._send(message))
                else:
                    self.pending.pop(client_id, None)
            for question in frame.get("questions", []):
                self._learn_question(question)
            return
        if kind == "ack":
            entry = self.pending.pop(frame.get("client_id"), None)
            if entry is not None:
                self.recorder.acked += 1
            if entry is not None and frame.get("seq"):
                self.recorder.sent_at.setdefault((self.room, frame["seq"]), entry[1])
            return
        if kind == "error":
            self.pending.pop(frame.get("client_id"), None)
            code = frame.get("code", "?")
            self.recorder.errors[code] = self.recorder.errors.get(code, 0) + 1
            return
        seq = frame.get("seq")
        if seq is None:
            return
        if self.last_seq is not None and seq <= self.last_seq:
            self.recorder.duplicates += 1
            return
        self.last_seq = seq
        key = (self.room, seq)
        got = self.recorder.received[self.index]
        if key in got:
            self.recorder.duplicates += 1
        got[key] = now
        if kind == "question":
            self._learn_question(frame["question"])

    def _learn_question(self, question: dict) -> None:
        if question.get("upvoted"):
            self.upvoted.add(question["id"])
        if question["id"] not in self.questions and question.get("status") != "answered":
            self.questions.append(question["id"])

    async def _send(self, message: dict) -> None:
        connection = self.connection
        if connection is None:
            return
        try:
            await connection.send(json.dumps(message))
        except Exception:
            pass

    async def post(self, kind: str, **fields) -> None:
        self.counter += 1
        client_id = f"{self.recorder.tag}-{self.index}-{self.counter}"
        message = {"type": kind, "client_id": client_id, **fields}
        self.pending[client_id] = (message, time.monotonic())
        self.recorder.posted += 1
        await self._send(message)

    async def plenary_action(self, floor: bool) -> None:
        candidates = [q for q in self.questions if q not in self.upvoted]
        if floor or not candidates or random.random() < 0.2:
            kind = "message" if floor else "question_ask"
            await self.post(kind, text=f"question {self.index}-{self.counter}")
            return
        question = random.choice(candidates)
        self.upvoted.add(question)
        await self.post("question_upvote", question_id=question)


# Gongnon: data and workers -----------------------------------------------------------------


def django_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DEBUG="0",
        SECRET_KEY=args.secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        CHANNEL_PREFIX=f"bench{args.run}",
        CHANNEL_LAYER=args.channel_layer,
        CACHE_PREFIX=f"bench{args.run}",
    )
    return env


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def create_objects(args) -> dict:
    """Users, sessions, groups and rooms for this run; session cookies for every panelist."""
    os.environ.update(django_env(args))
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from deliberation.core.models import Deliberation
    from deliberation.core.roles import Role
    from deliberation.forum.actions import do_open_rooms
    from deliberation.forum.models import ForumGroup, Session
    from deliberation.forum.selectors import group_room, plenary_room
    from panels.models import Panelist

    User = get_user_model()
    run = args.run
    panelist_role, _ = Group.objects.get_or_create(name=Role.PANELIST)
    deliberation = Deliberation.objects.create(
        slug=f"bench-{run}", title=f"bench {run}", agenda="bench", city="bench"
    )
    now = timezone.now()
    regional = Session.objects.create(
        deliberation=deliberation,
        kind=Session.Kind.REGIONAL_FORUM,
        title="groups",
        starts_at=now,
        ends_at=now + timezone.timedelta(hours=3),
    )
    plenary = Session.objects.create(
        deliberation=deliberation,
        kind=Session.Kind.PLENARY,
        title="plenary",
        starts_at=now,
        ends_at=now + timezone.timedelta(hours=3),
    )
    users = User.objects.bulk_create(
        [
            User(username=f"b{run}-{i:04d}", email=f"b{run}-{i:04d}@bench.invalid")
            for i in range(args.panelists)
        ]
    )
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_update(users, ["password"])
    users = list(User.objects.filter(username__startswith=f"b{run}-").order_by("username"))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=panelist_role.pk) for u in users]
    )
    Panelist.objects.bulk_create(
        [
            Panelist(
                deliberation=deliberation,
                user=u,
                pseudonym=f"P{i:04d}",
                region="r",
                gender="g",
                age_band="a",
                status=Panelist.Status.CONFIRMED,
            )
            for i, u in enumerate(users)
        ]
    )
    group_count = max(1, args.panelists // GROUP_SIZE)
    groups = ForumGroup.objects.bulk_create(
        [ForumGroup(session=regional, name=f"{i:02d}") for i in range(group_count)]
    )
    Through = ForumGroup.members.through
    Through.objects.bulk_create(
        [
            Through(forumgroup_id=groups[i % group_count].pk, user_id=u.pk)
            for i, u in enumerate(users)
        ]
    )
    do_open_rooms(regional)
    do_open_rooms(plenary)
    group_rooms = [group_room(g).pk for g in groups]
    plenary_room_id = plenary_room(plenary).pk
    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    return {
        "cookies": cookies,
        "group_room": [group_rooms[i % group_count] for i in range(len(users))],
        "plenary_room": plenary_room_id,
    }


def stored_seqs(room_ids: set[int], after: dict[str, int]) -> dict[str, set[int]]:
    from deliberation.forum.models import RoomEvent

    result: dict[str, set[int]] = {str(r): set() for r in room_ids}
    for room_id, seq in RoomEvent.objects.filter(room_id__in=room_ids).values_list(
        "room_id", "seq"
    ):
        if seq > after.get(str(room_id), 0):
            result[str(room_id)].add(seq)
    return result


class Workers:
    def __init__(self, args, count: int = 2) -> None:
        self.env = django_env(args)
        self.ports = [free_port() for _ in range(count)]
        self.processes: list[subprocess.Popen | None] = [None] * count
        self.log_path = Path(tempfile.gettempdir()) / f"forum_load-{args.run}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115

    def start(self, index: int) -> None:
        self.processes[index] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.ports[index]),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, index: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.ports[index]), timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("a worker did not start")

    def start_all(self) -> None:
        for index in range(len(self.ports)):
            self.start(index)
        for index in range(len(self.ports)):
            self.wait_ready(index)

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p is not None and p.poll() is None]

    def kill(self, index: int) -> None:
        process = self.processes[index]
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
        self.processes[index] = None

    def stop(self) -> None:
        for index in range(len(self.ports)):
            process = self.processes[index]
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.log.close()


# Phases ------------------------------------------------------------------------------------


def rss_kb(pids: list[int]) -> int:
    """Resident memory of processes (Linux /proc), kB: the servers' memory per connection."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
        except (OSError, StopIteration):
            continue
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (Linux /proc), to compare servers' cost."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@dataclass
class Result:
    name: str
    delivered: int
    expected: int
    duplicates: int
    latencies: list[float]
    events: int
    errors: dict
    reconnects: int
    posted: int
    acked: int
    server_cpu: float = 0.0
    resumed: list[float] = field(default_factory=list)
    cut_off: int = 0
    memory_per_connection_kb: float | None = None

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99) * 1000


async def run_phase(
    name: str,
    *,
    urls_for: list[list[str]],
    rooms: list[str],
    headers_for: list[dict],
    duration: float,
    plenary: bool,
    floor: bool,
    kill=None,
    expected_seqs=None,
    server_pids=lambda: [],
) -> Result:
    recorder = Recorder()
    clients = [
        Client(i, rooms[i], urls_for[i], headers_for[i], recorder) for i in range(len(rooms))
    ]
    rss_before = rss_kb(server_pids())
    tasks = []
    for start in range(0, len(clients), 25):
        batch = clients[start : start + 25]
        tasks += [asyncio.create_task(c.run()) for c in batch]
        await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in batch)), 120)
    await asyncio.sleep(1.0)
    for client in clients:
        recorder.start_seq.setdefault(client.room, client.last_seq or 0)
        recorder.start_seq[client.room] = max(recorder.start_seq[client.room], client.last_seq or 0)
    rss_after = rss_kb(server_pids())
    memory_per_connection = (
        (rss_after - rss_before) / len(clients) if rss_before and rss_after else None
    )
    t0 = time.monotonic()
    cpu_at_start = cpu_seconds(server_pids())

    async def sender(client: Client, offset: float) -> None:
        await asyncio.sleep(offset)
        while time.monotonic() - t0 < duration:
            await client.post("message", text=f"hello {client.index}")
            await asyncio.sleep(GROUP_INTERVAL)

    async def plenary_sender() -> None:
        interval = 1.0 / PLENARY_RATE
        next_at = t0
        while time.monotonic() - t0 < duration:
            await random.choice(clients).plenary_action(floor)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def killer() -> None:
        if kill is None:
            return
        await asyncio.sleep(duration / 2)
        recorder.killed_at = time.monotonic()
        kill()

    if plenary:
        senders = [asyncio.create_task(plenary_sender())]
    else:
        senders = [
            asyncio.create_task(sender(c, random.random() * GROUP_INTERVAL)) for c in clients
        ]
    await asyncio.gather(*senders, killer())
    server_cpu = cpu_seconds(server_pids()) - cpu_at_start
    # Settle: wait until every client holds every event (or give up after 30 s).
    for _ in range(300):
        if all(not c.pending for c in clients):
            break
        await asyncio.sleep(0.1)
    if expected_seqs is not None:
        expected = await asyncio.to_thread(expected_seqs, recorder)
    else:
        expected = floor_expected(recorder, clients)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(
            expected[c.room] <= set(s for (r, s) in recorder.received[c.index] if r == c.room)
            for c in clients
        ):
            break
        await asyncio.sleep(0.2)
    for client in clients:
        client.stopping = True
        if client.connection is not None:
            await client.connection.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    delivered = expected_total = 0
    latencies: list[float] = []
    for client in clients:
        got = recorder.received[client.index]
        for seq in expected[client.room]:
            expected_total += 1
            key = (client.room, seq)
            if key in got:
                delivered += 1
                sent = recorder.sent_at.get(key)
                if sent is not None:
                    latencies.append(got[key] - sent)
    return Result(
        name=name,
        delivered=delivered,
        expected=expected_total,
        duplicates=recorder.duplicates,
        latencies=latencies,
        events=sum(len(v) for v in expected.values()),
        errors=recorder.errors,
        reconnects=recorder.reconnects,
        posted=recorder.posted,
        acked=recorder.acked,
        server_cpu=max(0.0, server_cpu),
        resumed=recorder.resumed,
        cut_off=len(recorder.cut_off),
        memory_per_connection_kb=memory_per_connection,
    )


def floor_expected(recorder: Recorder, clients: list[Client]) -> dict[str, set[int]]:
    expected: dict[str, set[int]] = {c.room: set() for c in clients}
    for room, seq in recorder.sent_at:
        if seq > recorder.start_seq.get(room, 0):
            expected[room].add(seq)
    return expected


def report(result: Result, floor: Result | None) -> None:
    share = 100.0 * result.delivered / result.expected if result.expected else float("nan")
    line = (
        f"{result.name:<28} events {result.events:>6}  delivered/expected "
        f"{result.delivered}/{result.expected} ({share:.2f}%)  dup {result.duplicates}  "
        f"p50 {result.p50:7.1f} ms  p99 {result.p99:7.1f} ms"
    )
    if floor is not None and floor.p99 > 0:
        line += (
            f"  p99 ×floor {result.p99 / floor.p99:5.2f}  p50 ×floor {result.p50 / floor.p50:5.2f}"
        )
    line += f"  acked {result.acked}/{result.posted}"
    if result.server_cpu and result.delivered:
        line += (
            f"  server processes' CPU {result.server_cpu:.1f} s"
            f" ({1e3 * result.server_cpu / result.delivered:.2f} ms/delivery)"
        )
    if result.memory_per_connection_kb is not None:
        line += f"  server memory {result.memory_per_connection_kb:.0f} kB/connection"
    if result.errors:
        line += f"  errors {result.errors}"
    if result.reconnects:
        line += f"  reconnects {result.reconnects}"
    print(line, flush=True)
    if result.cut_off:
        print("    " + resume_distribution(result.resumed, result.cut_off), flush=True)


def resume_distribution(resumed: list[float], cut_off: int) -> str:
    """How long the killed worker's clients took to be welcomed again, and a histogram."""
    edges = (0.5, 1, 2, 3, 5, 10)
    counts, low = [], 0.0
    for high in edges:
        counts.append(f"{low:g}-{high:g} s: {sum(low <= r < high for r in resumed)}")
        low = high
    counts.append(f">={edges[-1]:g} s: {sum(r >= edges[-1] for r in resumed)}")
    if not resumed:
        return f"resumed 0 of {cut_off} cut-off clients"
    return (
        f"resumed {len(resumed)} of {cut_off} cut-off clients: "
        f"p50 {percentile(resumed, 50):.2f} s, "
        f"p90 {percentile(resumed, 90):.2f} s, p99 {percentile(resumed, 99):.2f} s, "
        f"max {max(resumed):.2f} s; " + ", ".join(counts)
    )


async def benchmark(args, data: dict, workers: Workers) -> None:
    n = len(data["cookies"])
    ours = [f"ws://127.0.0.1:{port}" for port in workers.ports]
    headers_for = [{"Cookie": f"sessionid={cookie}"} for cookie in data["cookies"]]
    group_rooms = [str(r) for r in data["group_room"]]
    plenary_rooms = [str(data["plenary_room"])] * n

    def our_urls(rooms: list[str]) -> list[list[str]]:
        return [[f"{base}/ws/rooms/{room}/" for base in ours] for room in rooms]

    def our_expected(recorder: Recorder) -> dict[str, set[int]]:
        return stored_seqs({int(r) for r in recorder.start_seq}, recorder.start_seq)

    floor_port = free_port()
    floor_process = subprocess.Popen(
        [sys.executable, __file__, "--floor-server", str(floor_port)], cwd=ROOT
    )
    time.sleep(1.0)
    floor_base = f"ws://127.0.0.1:{floor_port}"
    run = args.run

    def floor_urls(rooms: list[str]) -> list[list[str]]:
        return [[f"{floor_base}/rooms/{run}-{room}"] for room in rooms]

    duration = args.duration
    print(
        f"{n} panelists; {len(set(group_rooms))} groups; {duration:.0f} s per phase; "
        f"2 daphne workers ({args.channel_layer} layer) + PostgreSQL "
        "vs 1-process websockets floor",
        flush=True,
    )
    try:
        results = {}
        phases = {p.strip() for p in args.phases.split(",")}
        selected = [
            (label, rooms, plenary)
            for label, rooms, plenary in [
                ("groups", group_rooms, False),
                ("plenary", plenary_rooms, True),
            ]
            if label in phases
        ]
        for label, rooms, plenary in selected:
            floor = await run_phase(
                f"floor {label}",
                urls_for=floor_urls(rooms),
                rooms=rooms,
                headers_for=headers_for,
                duration=duration,
                plenary=plenary,
                floor=True,
                server_pids=lambda: [floor_process.pid],
            )
            ours_result = await run_phase(
                f"gongnon {label}",
                urls_for=our_urls(rooms),
                rooms=rooms,
                headers_for=headers_for,
                duration=duration,
                plenary=plenary,
                floor=False,
                expected_seqs=our_expected,
                server_pids=workers.pids,
            )
            results[label] = (ours_result, floor)
            report(floor, None)
            report(ours_result, floor)
        killed_results = {}
        for label, rooms, plenary in selected if "killed" in phases else []:
            killed = await run_phase(
                f"gongnon {label}, worker killed",
                urls_for=our_urls(rooms),
                rooms=rooms,
                headers_for=headers_for,
                duration=duration,
                plenary=plenary,
                floor=False,
                kill=lambda: workers.kill(0),
                expected_seqs=our_expected,
            )
            report(killed, results[label][1])
            killed_results[label] = killed
            workers.start(0)
            workers.wait_ready(0)
        print()
        for label, (ours_result, floor) in results.items():
            limit = P99_TARGET_MS[label]
            complete = ours_result.delivered == ours_result.expected and not ours_result.duplicates
            ok = complete and ours_result.p99 < limit and ours_result.p99 <= 3 * floor.p99
            print(
                f"target {label}: 100% delivered, no duplicates, p99 {ours_result.p99:.1f} ms "
                f"< {limit} ms and ≤ 3× floor ({3 * floor.p99:.1f} ms): "
                f"{'met' if ok else 'NOT met'}"
            )
        for label, killed in killed_results.items():
            complete = killed.delivered == killed.expected and not killed.duplicates
            slowest = max(killed.resumed, default=float("nan"))
            every = bool(killed.cut_off) and len(killed.resumed) == killed.cut_off
            ok = complete and every and slowest < RESUME_TARGET_S
            print(
                f"target {label}, worker killed: 100% delivered, every one of the "
                f"{killed.cut_off} cut-off clients resumed within {RESUME_TARGET_S:g} s "
                f"({len(killed.resumed)} resumed, slowest {slowest:.2f} s): "
                f"{'met' if ok else 'NOT met'}"
            )
    finally:
        floor_process.terminate()
        floor_process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=60.0, help="seconds per phase (default 60)"
    )
    parser.add_argument(
        "--panelists", type=int, default=300, help="number of panelists (default 300)"
    )
    parser.add_argument("--quick", action="store_true", help="100 panelists, 10 s per phase")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/gongnon_bench",
        help="PostgreSQL database for the run (created and migrated if missing)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument(
        "--channel-layer",
        choices=["redis", "redis-pubsub"],
        default="redis-pubsub",
        help="Gongnon's CHANNEL_LAYER setting for the workers (default %(default)s)",
    )
    parser.add_argument(
        "--phases",
        default="groups,plenary,killed",
        help="comma-separated subset of groups,plenary,killed (default all three)",
    )
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        run_floor_server(args.floor_server)
        return
    if args.quick:
        args.duration, args.panelists = 10.0, 100
    args.run = secrets.token_hex(3)
    args.secret_key = secrets.token_urlsafe(60)
    ensure_database(args.database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=django_env(args),
        check=True,
    )
    data = create_objects(args)
    workers = Workers(args)
    try:
        workers.start_all()
        asyncio.run(benchmark(args, data, workers))
    finally:
        workers.stop()


if __name__ == "__main__":
    main()
