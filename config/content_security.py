"""Content-Security-Policy and Permissions-Policy on every page.

Scripts and styles come from the site's own static files only; the one inline script, the
live room's import map, carries the request's nonce (``request.csp_nonce``). No inline
style or handler is allowed, so an injected ``<img onerror>`` or ``style`` does nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def content_security_policy(nonce: str, host: str) -> str:
    sockets = f"ws://{host} wss://{host}" if host else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' {sockets}".rstrip(),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.get("Content-Type", "").startswith("text/html"):
            try:
                host = request.get_host()
            except Exception:  # a disallowed host: no socket source to name
                host = ""
            response.setdefault(
                "Content-Security-Policy", content_security_policy(request.csp_nonce, host)
            )
        return response
