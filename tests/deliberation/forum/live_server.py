"""A real ASGI server process (daphne) on a file SQLite database, for end-to-end tests."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Migrating a database takes most of a live server's start: each test process migrates one
# template once and every live server starts from a copy of it.
_template_lock = threading.Lock()
_template: Path | None = None


def _server_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
    }


def migrated_template() -> Path:
    """A SQLite database with every migration applied, made once per process."""
    global _template
    with _template_lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="gongnon-e2e-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "migrated.sqlite3"
            env = _server_env()
            env.update(DJANGO_SETTINGS_MODULE="config.settings", SQLITE_PATH=str(path))
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            )
            _template = path
        return _template


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """Starts, kills (-9) and restarts one daphne process on a fixed port.

    Its database starts migrated (a copy of ``migrated_template()``), or as a copy of
    ``start_from``: another live server's database, set up once for several tests.
    """

    def __init__(self, workdir: Path, start_from: Path | None = None) -> None:
        self.port = free_port()
        self.database = database = workdir / "e2e.sqlite3"
        shutil.copyfile(start_from or migrated_template(), database)
        self.env = _server_env()
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SQLITE_PATH=str(database),
            CHANNEL_PREFIX=f"e2e{self.port}",
            CACHE_PREFIX=f"e2e{self.port}",
            PYTHONUNBUFFERED="1",
        )
        self.log = open(workdir / "server.log", "ab")  # noqa: SIM115
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return result.stdout

    def setup_script(self, code: str) -> dict:
        """Run Python in a Django shell against the server's database; it prints JSON."""
        output = self.manage("shell", stdin=code)
        return json.loads(output.strip().splitlines()[-1])

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the live server did not start; see server.log")

    def start_worker(self) -> None:
        """The background worker (`manage.py worker`) that runs imports, selections and PDFs."""
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        self.kill()
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait(timeout=10)
        self.log.close()
