"""The room's websocket admits pages of this site only: the same scheme, host and port.

Channels' AllowedHostsOriginValidator compares host names, so a page served from
http://localhost:9999 could open a socket to the site on another port with the visitor's
cookies. Here the Origin must be the site's own origin as the browser sees it (behind a
TLS proxy, https), or one of CSRF_TRUSTED_ORIGINS.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": "80", "https": "443"}


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return value.decode("latin1")
            except UnicodeDecodeError:
                return None
    return None


def site_scheme(scope: dict) -> str:
    """http or https, as the browser reached the site (a TLS proxy's header counts)."""
    if scope.get("scheme") == "wss":
        return "https"
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header and _header(scope, b"x-forwarded-proto") == "https":
        return "https"
    return "http"


def same_origin(scope: dict) -> bool:
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    if origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        return True
    host_name, host_port = split_domain_port(host)
    if not host_name or not validate_host(host_name, settings.ALLOWED_HOSTS):
        return False
    scheme = site_scheme(scope)
    parts = urlsplit(origin)
    try:
        origin_port = str(parts.port) if parts.port is not None else DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    origin_host = parts.hostname or ""
    if ":" in origin_host:  # an IPv6 address, bracketed as in the Host header
        origin_host = f"[{origin_host}]"
    return (
        parts.scheme == scheme
        and origin_host == host_name
        and origin_port == (host_port or DEFAULT_PORTS[scheme])
    )


class SameOriginValidator:
    """ASGI middleware: a websocket from another origin is refused before it is accepted."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
