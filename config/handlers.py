"""Django's ASGI handler with the middleware chain run in one thread hop per request.

Gongnon's views and most of its middleware are synchronous. Django's own ASGI handler
builds the chain in async mode, so every synchronous middleware step (process_request,
process_response, WhiteNoise, the view) switches between the event loop and a worker
thread on its own: 17 switches for a page, which cost more CPU than most of our pages
do. Here the chain is built as under WSGI and entered once from the event loop (three
switches with the request_started and request_finished signals); reading the body,
sending the response and websockets stay asynchronous. An async view would still work,
through async_to_sync, but without its advantage.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the same per-request thread as the request_started and
        # request_finished signals, so the database connection is opened and closed there.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
