"""Daphne: refuse an oversized request body while it arrives, not after.

Daphne (through Twisted) receives a request's whole body before the ASGI application is
called, and Twisted parses a multipart body in memory on the way: a 200 MB post to the
sign-in page took a worker from 537 MB to 2.9 GB before Django saw it. Twisted learns the
declared length and each chunk of the body through two methods of the request; wrapped
here, they answer 413 (the same page as config.body_limits) and stop reading as soon as
the body passes what its path may receive. Installed when the ASGI application loads;
without Daphne this does nothing.
"""

from __future__ import annotations

from typing import Any

from config.body_limits import body_limit, too_large_response


def _refuse(request: Any) -> None:
    request.gongnon_body_refused = True
    headers, body = too_large_response(request.gongnon_body_limit)
    head = b"HTTP/1.1 413 Request Entity Too Large\r\n"
    head += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    transport = request.channel.transport
    transport.pauseProducing()  # read no more of the body
    transport.write(head + b"\r\n" + body)
    transport.loseConnection()


def install() -> bool:
    """Wrap Daphne's request once; False when Daphne is not installed."""
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:
        return False
    if getattr(WebRequest, "gongnon_body_limits", False):
        return True
    got_length = WebRequest.gotLength
    handle_content_chunk = WebRequest.handleContentChunk
    process = WebRequest.process

    def gotLength(self: Any, length: int | None) -> None:  # noqa: N802 (Twisted's name)
        raw_path = getattr(self.channel, "_path", b"/") or b"/"
        path = raw_path.split(b"?", 1)[0].decode("latin-1")
        self.gongnon_body_limit = body_limit({"path": path})
        self.gongnon_body_received = 0
        self.gongnon_body_refused = False
        got_length(self, length)
        if length is not None and length > self.gongnon_body_limit:
            _refuse(self)

    def handleContentChunk(self: Any, data: bytes) -> None:  # noqa: N802
        if self.gongnon_body_refused:
            return
        self.gongnon_body_received += len(data)
        if self.gongnon_body_received > self.gongnon_body_limit:
            _refuse(self)
            return
        handle_content_chunk(self, data)

    def guarded_process(self: Any) -> Any:
        if getattr(self, "gongnon_body_refused", False):
            return None
        return process(self)

    WebRequest.gotLength = gotLength
    WebRequest.handleContentChunk = handleContentChunk
    WebRequest.process = guarded_process
    WebRequest.gongnon_body_limits = True
    return True
