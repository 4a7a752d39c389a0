"""Websocket routes of every app, gathered in one place for the ASGI router."""

from deliberation.routing import websocket_urlpatterns as deliberation_websockets

websocket_urlpatterns = [*deliberation_websockets]
