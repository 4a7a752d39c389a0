"""Websocket routes of the live forum."""

websocket_urlpatterns: list = []
