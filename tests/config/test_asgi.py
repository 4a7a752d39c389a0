"""The ASGI entry point: pages enter the synchronous middleware chain once, and a server
process loads it ready for work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator

from config.asgi import application

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
async def test_a_page_switches_threads_only_to_start_answer_and_finish(monkeypatch):
    switches = []
    enter = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        switches.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await enter(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    communicator = HttpCommunicator(application, "GET", "/", headers=[(b"host", b"testserver")])
    response = await communicator.get_response(timeout=30)
    await communicator.wait(timeout=30)
    assert response["status"] == 200
    # request_started, the middleware chain with the view, and request_finished.
    assert len(switches) == 3, switches


def test_the_views_are_loaded_before_the_first_request():
    code = "import sys, config.asgi; print('deliberation.report.views' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "True", result.stderr


def after_loading_the_asgi_application(expression: str) -> str:
    """``expression`` printed by a fresh process that has loaded the ASGI application."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", f"import gc, sys, config.asgi; print({expression})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_loading_the_asgi_application_freezes_start_up_objects_out_of_garbage_collection():
    assert int(after_loading_the_asgi_application("gc.get_freeze_count()")) > 10_000


def test_a_worker_hands_the_interpreter_to_its_threads_every_millisecond():
    interval = float(after_loading_the_asgi_application("sys.getswitchinterval()"))
    assert interval == pytest.approx(0.001)
