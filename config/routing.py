"""Websocket routes of every app, gathered in one place for the ASGI router."""

from deliberation.forum.routing import websocket_urlpatterns as forum_websockets

websocket_urlpatterns = [*forum_websockets]
