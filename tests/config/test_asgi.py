"""HTTP through the ASGI entry point: the synchronous middleware chain is entered once."""

from __future__ import annotations

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator

from config.asgi import application


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
