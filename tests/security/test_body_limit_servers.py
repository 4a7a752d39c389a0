"""Both production servers answer an oversized body with 413 before receiving it.

Real server processes: Daphne reads a body before the application runs (and Twisted
parses multipart bodies in memory), so only a test against the process itself shows that
the worker neither waits for nor holds the body.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deliberation.forum.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
DECLARED = 200_000_000  # what the client says it will send
BOUNDARY = b"gongnon"


def start(server: str, port: int, tmp_path: Path) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    if server == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--log-level", "warning", "config.asgi:application"]
    else:
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        command += ["config.asgi:application"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)


def resident_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def send_upload(
    port: int, path: str, *, chunked: bool, send_bytes: int, complete: bool = False
) -> bytes:
    """Start a multipart post (declaring 200 MB unless chunked), send send_bytes of it and,
    when complete, its end (chunked only); return the response's status line."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY.decode()}\r\n"
    ).encode()
    head += (
        b"Transfer-Encoding: chunked\r\n\r\n"
        if chunked
        else b"Content-Length: %d\r\n\r\n" % (DECLARED)
    )
    part = b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; '
    part += b'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(head)
        sent = 0
        block = part + b"a" * (65536 - len(part))
        try:
            while sent < send_bytes:
                connection.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
                sent += len(block)
                block = b"a" * 65536
            if complete:
                end = b"\r\n--" + BOUNDARY + b"--\r\n"
                connection.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(end), end))
        except OSError:
            pass  # the server closed the connection after answering: what is wanted
        reply = b""
        try:
            while b"\r\n" not in reply:
                data = connection.recv(4096)
                if not data:
                    break
                reply += data
        except OSError:
            pass
    return reply.split(b"\r\n", 1)[0]


@pytest.fixture(params=["uvicorn", "daphne"])
def server(request, tmp_path):
    port = free_port()
    process = start(request.param, port, tmp_path)
    yield port, process
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_post_to_the_sign_in_page_is_refused_before_it_is_received(server, chunked):
    port, process = server
    before = resident_mb(process.pid)
    status = send_upload(port, "/accounts/login/", chunked=chunked, send_bytes=20_000_000)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert resident_mb(process.pid) - before < 30


def test_an_upload_page_still_receives_a_file_within_its_limit(server):
    port, _process = server
    # 5 MB reach Django, which asks an anonymous visitor to sign in (or refuses the CSRF).
    status = send_upload(
        port, "/surveys/waves/1/import/", chunked=True, send_bytes=5_000_000, complete=True
    )
    assert not status.startswith(b"HTTP/1.1 413"), status
