"""The recommended production server (uvicorn) carries Gongnon's pages and websockets."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import websockets

from tests.deliberation.forum.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


async def close_code(url: str) -> int | None:
    origin = "http://" + url.split("://", 1)[1].split("/", 1)[0]  # the page's own origin
    async with websockets.connect(url, origin=origin) as socket:
        try:
            await asyncio.wait_for(socket.recv(), 10)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    return None


def test_uvicorn_serves_http_and_websockets(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
        + ["--log-level", "warning", "config.asgi:application"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # A static file: HTTP through the whole middleware chain, no database needed.
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/static/css/gongnon.css", timeout=5
                ) as response:
                    assert response.status == 200
                    break
            except urllib.error.URLError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        # An anonymous visitor reaches the room consumer, which closes with its own code.
        assert asyncio.run(close_code(f"ws://127.0.0.1:{port}/ws/rooms/1/")) == 4401
    finally:
        server.terminate()
        server.wait(timeout=10)
