"""Who is on the other end of a websocket: the session cookie's user, read in one trip to
a thread.

Channels' AuthMiddlewareStack reads the session, then the user, each in Django's one
thread for synchronous code. After a worker dies its clients reconnect to the others at
once, and each of them queued twice for that thread, while Daphne closes a handshake the
application has not answered within 5 seconds: most reconnects timed out and tried
again. Here Django's own ``get_user`` reads both at once, in any thread of the pool on
PostgreSQL (SQLite keeps the one thread, as the room's consumer does), with the same
checks: an unknown session, a backend no longer configured or a password changed since
sign-in give the anonymous user.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.db import connection
from django.http.cookie import parse_cookie


def _session_and_user(session_key: str | None) -> tuple[Any, Any]:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    session = store(session_key)
    return session, get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]


def _cookies(scope: dict) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1"))
    return {}


class WebsocketAuthMiddleware:
    """Puts ``cookies``, ``session`` and ``user`` in a websocket's scope."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        cookies = _cookies(scope)
        read = database_sync_to_async(
            _session_and_user, thread_sensitive=connection.vendor != "postgresql"
        )
        session, user = await read(cookies.get(settings.SESSION_COOKIE_NAME))
        scope = {**scope, "cookies": cookies, "session": session, "user": user}
        return await self.inner(scope, receive, send)
