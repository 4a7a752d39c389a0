"""Websocket routes of the live forum."""

from django.urls import path

from deliberation.forum.consumers import RoomConsumer

websocket_urlpatterns: list = [
    path("ws/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
]
