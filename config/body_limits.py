"""Refuse oversized request bodies before they are read: 413 and a short page.

Django reads a request's whole body before any view or form can judge its size, so a
200 MB post to the sign-in page was read, spooled and parsed. In front of Django, this
wrapper finds the view the path leads to (URL resolution only, no database), allows the
body that view may take (config.settings: DATA_UPLOAD_MAX_MEMORY_SIZE, or an upload
view's own bound, deliberation.core.uploads), refuses a larger declared Content-Length
at once and stops counting a streamed body (chunked, or lying about its length) as soon
as it passes the bound. Under uvicorn an unread body is never received; Daphne receives
the body before the application runs, so config.daphne_limits stops it there too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.urls import Resolver404, resolve

from deliberation.core.uploads import body_limit_for

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Both languages at once: the page is sent before Django (and the visitor's language)
# is reached. No script, no inline style (the CSP), the site's stylesheet only.
PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>보낸 내용이 너무 큽니다 · Request too large</title>
<link rel="stylesheet" href="/static/css/gongnon.css"></head>
<body><main class="container">
<h1>보낸 내용이 너무 큽니다</h1>
<p>이 페이지는 {mb} MB가 넘는 내용을 받지 않습니다. 파일을 더 작게 나누거나 줄인 뒤
다시 보내 주세요. 아무것도 저장되지 않았습니다.</p>
<h2 lang="en">Request too large</h2>
<p lang="en">This page does not accept more than {mb} MB. Split or shrink the file and
send it again. Nothing was stored.</p>
<p><a href="/">처음으로 · Home</a></p>
</main></body></html>
"""


class BodyTooLarge(Exception):
    """A streamed body passed its bound while the application was reading it."""


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def body_limit(scope: Scope) -> int:
    try:
        match = resolve(scope.get("path", "/"))
    except Resolver404:
        return body_limit_for(None)
    return body_limit_for(match.func)


def too_large_response(limit: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The 413 response's headers and page."""
    body = PAGE.format(mb=max(1, round(limit / 1_000_000))).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"cache-control", b"no-store"),
        (b"content-security-policy", b"default-src 'self'"),
        (b"x-content-type-options", b"nosniff"),
    ]
    return headers, body


async def send_too_large(send: Send, limit: int) -> None:
    headers, body = too_large_response(limit)
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI wrapper around the HTTP application; other scopes pass through untouched."""

    def __init__(self, app: ASGIApp, limit: Callable[[Scope], int] = body_limit) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        length = declared_length(scope)
        if length is not None and length > limit:
            await send_too_large(send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started:
                await send_too_large(send, limit)
