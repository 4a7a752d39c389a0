"""A real ASGI server process (daphne) on a file SQLite database, for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """Starts, kills (-9) and restarts one daphne process on a fixed port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SQLITE_PATH=str(workdir / "e2e.sqlite3"),
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
