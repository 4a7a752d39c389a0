"""The live room over a websocket (protocol: docs/websocket-protocol.md).

The consumer is thin: it authenticates, parses frames, applies limits and calls the
do_* actions, which save before they broadcast. Delivery to each connection is ordered
and gap-free: an event whose sequence number skips ahead makes the consumer read the
missing events from the database first; one already sent is dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.utils import await_many_dispatch

from deliberation.core.actions import ActionRefused
from deliberation.core.names import display_name
from deliberation.forum import actions
from deliberation.forum.access import can_answer_in_room, can_join_room, can_run_room
from deliberation.forum.channel_groups import is_addressed_to, room_group
from deliberation.forum.hub import RoomHub, current_hub
from deliberation.forum.live_map import current_refresher
from deliberation.forum.models import Room, RoomEvent
from deliberation.forum.protocol import (
    CLIENT_EVENTS,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_REMOVED,
    CLOSE_TOO_MANY_CONNECTIONS,
    CLOSE_UNAUTHENTICATED,
    FRAME_LIMIT,
    FRAME_WINDOW,
    MAX_CLIENT_ID_CHARS,
    MAX_FRAME_BYTES,
)
from deliberation.forum.wire import active_sanction, events_after, snapshot

logger = logging.getLogger(__name__)


def db(function: Callable) -> Callable:
    """Run ORM work off the event loop.

    On PostgreSQL, calls from different connections run in parallel threads (row locks
    keep them consistent); SQLite admits one writer at a time, so there they share the
    one thread Channels uses by default.
    """
    return database_sync_to_async(function, thread_sensitive=not _parallel_database())


def _parallel_database() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _int_or_none(value: str | None) -> int | None:
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number >= 0 else None


class RoomConsumer(AsyncWebsocketConsumer):
    room_id: int
    last_sent: int = 0
    attendance_id: int | None = None
    hub: RoomHub | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Under a room hub, run without a channel of one's own in the layer.

        Channels gives every consumer a channel, which the Redis pub/sub layer subscribes
        to one at a time per process; everything this consumer receives comes from the
        hub instead, so connecting costs the layer nothing.
        """
        self.hub = current_hub()
        if self.hub is None:
            await super().__call__(scope, receive, send)
            return
        self.scope = scope
        self.channel_layer = None
        # Names the connection in its attendance; nothing is sent to it.
        self.channel_name = f"hub.{uuid.uuid4().hex}"
        self.base_send = send
        try:
            await await_many_dispatch([receive], self.dispatch)
        except StopConsumer:
            pass

    async def connect(self) -> None:
        self.frame_times: deque[float] = deque()
        self.delivery = asyncio.Lock()
        self.deferred: set[asyncio.Task] = set()
        # Accept first so the refusal reaches the client with its close code.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        refusal = await db(self._admission)(user)
        if refusal:
            await self.close(code=refusal)
            return
        query = dict(
            part.split("=", 1)
            for part in self.scope["query_string"].decode().split("&")
            if "=" in part
        )
        client_seq = _int_or_none(query.get("last_seq"))
        # Events that arrive before the welcome wait for it (the delivery lock).
        async with self.delivery:
            if self.hub is not None:
                await self.hub.join(self.room_id, self)
            elif self.channel_layer is not None:
                await self.channel_layer.group_add(room_group(self.room_id), self.channel_name)
            try:
                welcome, attendance_id = await db(self._welcome)(user, client_seq is not None)
            except ActionRefused:
                await self.close(code=CLOSE_TOO_MANY_CONNECTIONS)
                return
            self.attendance_id = attendance_id
            await self._send(welcome)
            if client_seq is None or client_seq > welcome["last_seq"]:
                self.last_sent = welcome["last_seq"]
            else:
                self.last_sent = client_seq
                await self._replay(after=client_seq)

    def _touch(self) -> int:
        """Keep presence alive; return the room's last sequence number, to catch up on a
        broadcast that never arrived (nothing else would follow it)."""
        if self.attendance_id is not None:
            actions.do_touch_attendance(self.attendance_id)
        return Room.objects.filter(pk=self.room_id).values_list("last_seq", flat=True).first() or 0

    def _admission(self, user: Any) -> int | None:
        room = Room.objects.select_related("group", "session").filter(pk=self.room_id).first()
        if room is None:
            return CLOSE_NOT_FOUND
        if not can_join_room(user, room):
            return CLOSE_FORBIDDEN
        sanction = active_sanction(room.pk, user.pk)
        if sanction is not None and sanction.kind == "remove":
            return CLOSE_REMOVED
        self.permissions = {
            "can_run": can_run_room(user, room),
            "can_answer": can_answer_in_room(user, room),
        }
        # Who may be in the room as of admission; a change sends messages to the full check.
        self.access_version = room.access_version
        # The person's name is read here, in a thread: the event-loop write of a message
        # names its author from what the user object holds, without a query.
        display_name(user)
        return None

    def _welcome(self, user: Any, resuming: bool) -> tuple[dict, int]:
        attendance = actions.do_join_room(self.room_id, user, self.channel_name)
        room = Room.objects.select_related("group", "session", "speaker").get(pk=self.room_id)
        welcome = snapshot(room, user, permissions=self.permissions, resuming=resuming)
        return welcome, attendance.pk

    async def disconnect(self, code: int) -> None:
        if self.attendance_id is not None:
            await db(actions.do_leave_room)(self.attendance_id)
            self.attendance_id = None
        if getattr(self, "room_id", None) is not None:
            if self.hub is not None:
                await self.hub.leave(self.room_id, self)
            elif self.channel_layer is not None:
                await self.channel_layer.group_discard(room_group(self.room_id), self.channel_name)

    # Frames from the client ---------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.attendance_id is None:
            return
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if len(raw.encode("utf-8")) > MAX_FRAME_BYTES:
            await self._error(
                "too_large",
                f"Frames are limited to {MAX_FRAME_BYTES} bytes.",
                reason="frame_too_large",
                params={"max": MAX_FRAME_BYTES},
            )
            return
        try:
            frame = json.loads(raw)
        except ValueError:
            await self._error("bad_json", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("bad_frame", "A frame is a JSON object with a string 'type'.")
            return
        client_id = frame.get("client_id")
        if client_id is not None and (
            not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_CHARS
        ):
            await self._error(
                "bad_frame",
                f"'client_id' must be a string of at most {MAX_CLIENT_ID_CHARS} characters.",
                reason="bad_client_id",
                params={"max": MAX_CLIENT_ID_CHARS},
            )
            return
        kind = frame["type"]
        if not self._within_frame_limit():
            await self._error(
                "rate_limited",
                f"At most {FRAME_LIMIT} frames per {FRAME_WINDOW} seconds; wait a moment.",
                client_id,
                reason="frame_rate",
                params={"limit": FRAME_LIMIT, "seconds": FRAME_WINDOW},
            )
            return
        if kind not in CLIENT_EVENTS:
            await self._error("unknown_type", f"Unknown event type '{kind[:40]}'.", client_id)
            return
        if kind == "ping":
            room_seq = await db(self._touch)()
            if room_seq > self.last_sent:
                async with self.delivery:
                    await self._replay(after=self.last_sent)
            await self._send({"type": "pong", "client_id": client_id})
            return
        if kind == "resume":
            after = frame.get("last_seq")
            if isinstance(after, bool) or not isinstance(after, int) or after < 0:
                await self._error(
                    "invalid",
                    "'last_seq' must be a non-negative integer.",
                    client_id,
                    reason="bad_last_seq",
                )
                return
            async with self.delivery:
                await self._replay(after=after, force=True)
            return
        try:
            if kind == "message" and _parallel_database():
                result = await actions.ado_post_message(
                    self.room_id,
                    self.scope["user"],
                    frame.get("text"),
                    client_id=client_id or "",
                    access_version=self.access_version,
                )
            else:
                result = await db(self._handle)(self.scope["user"], kind, frame, client_id or "")
        except ActionRefused as refused:
            await self._error(
                refused.code,
                refused.detail,
                client_id,
                reason=refused.reason,
                params=refused.params,
            )
            if refused.code == "revoked":
                await self._leave(CLOSE_FORBIDDEN)
            return
        except Exception:
            logger.exception("room %s: %s failed", self.room_id, kind)
            await self._error("server_error", "The server could not do this; try again.", client_id)
            return
        if isinstance(result, RoomEvent) and result.room_access_version is not None:
            self.access_version = result.room_access_version
        if kind == "statement_vote":
            # The tallies and the map reach the room with the next live map, not per vote.
            current_refresher().poke(self.room_id)
        reply = {"seq": result.seq} if isinstance(result, RoomEvent) else result or {}
        await self._send({"type": "ack", "client_id": client_id, **reply})

    def _handle(self, user: Any, kind: str, frame: dict, client_id: str):
        """The action, in a thread: one trip to the thread pool per frame."""
        return getattr(self, f"_do_{kind}")(user, frame, client_id)

    def _within_frame_limit(self) -> bool:
        """At most FRAME_LIMIT frames per FRAME_WINDOW seconds on this connection."""
        now = time.monotonic()
        recent = self.frame_times
        while recent and recent[0] <= now - FRAME_WINDOW:
            recent.popleft()
        if len(recent) >= FRAME_LIMIT:
            return False
        recent.append(now)
        return True

    def _do_message(self, user, frame, client_id):
        return actions.do_post_message(
            self.room_id,
            user,
            frame.get("text"),
            client_id=client_id,
            access_version=self.access_version,
        )

    def _do_hand_raise(self, user, frame, client_id):
        return actions.do_raise_hand(self.room_id, user)

    def _do_hand_lower(self, user, frame, client_id):
        return actions.do_lower_hand(self.room_id, user, frame.get("user_id"))

    def _do_floor_give(self, user, frame, client_id):
        return actions.do_give_floor(self.room_id, user, frame.get("user_id"), frame.get("seconds"))

    def _do_floor_end(self, user, frame, client_id):
        return actions.do_end_floor(self.room_id, user)

    def _do_phase_set(self, user, frame, client_id):
        return actions.do_set_phase(self.room_id, user, frame.get("phase"))

    def _do_timer_start(self, user, frame, client_id):
        return actions.do_start_timer(self.room_id, user, frame.get("seconds"), frame.get("label"))

    def _do_timer_stop(self, user, frame, client_id):
        return actions.do_stop_timer(self.room_id, user)

    def _do_message_hide(self, user, frame, client_id):
        return actions.do_hide_message(self.room_id, user, frame.get("seq"), frame.get("reason"))

    def _do_mute(self, user, frame, client_id):
        return actions.do_mute(
            self.room_id, user, frame.get("user_id"), frame.get("minutes"), frame.get("reason")
        )

    def _do_remove(self, user, frame, client_id):
        return actions.do_remove(self.room_id, user, frame.get("user_id"), frame.get("reason"))

    def _do_question_ask(self, user, frame, client_id):
        event = actions.do_ask_question(self.room_id, user, frame.get("text"))
        return {"seq": event.seq, "question_id": event.payload["question"]["id"]}

    def _do_question_upvote(self, user, frame, client_id):
        return actions.do_upvote_question(self.room_id, user, frame.get("question_id"))

    def _do_question_pick(self, user, frame, client_id):
        return actions.do_pick_question(self.room_id, user, frame.get("question_id"))

    def _do_question_answer(self, user, frame, client_id):
        return actions.do_answer_question(
            self.room_id, user, frame.get("question_id"), frame.get("text")
        )

    def _do_poll_open(self, user, frame, client_id):
        return actions.do_open_poll(self.room_id, user, frame.get("question"), frame.get("options"))

    def _do_poll_vote(self, user, frame, client_id):
        option = actions.do_vote_poll(self.room_id, user, frame.get("poll_id"), frame.get("option"))
        return {"poll_id": frame.get("poll_id"), "option": option}

    def _do_poll_close(self, user, frame, client_id):
        return actions.do_close_poll(self.room_id, user, frame.get("poll_id"))

    def _do_recommendation_add(self, user, frame, client_id):
        return actions.do_add_recommendation(self.room_id, user, frame.get("text"))

    def _do_recommendation_support(self, user, frame, client_id):
        return actions.do_support_recommendation(
            self.room_id, user, frame.get("recommendation_id"), frame.get("support")
        )

    def _do_statement_submit(self, user, frame, client_id):
        statement = actions.do_submit_statement(self.room_id, user, frame.get("text"))
        return {"statement_id": statement.pk, "status": statement.status}

    def _do_statement_moderate(self, user, frame, client_id):
        result = actions.do_moderate_statement(
            self.room_id,
            user,
            frame.get("statement_id"),
            frame.get("decision"),
            frame.get("reason"),
        )
        if isinstance(result, RoomEvent):
            return {"seq": result.seq, "statement_id": frame.get("statement_id")}
        return {"statement_id": result.pk, "status": result.status}

    def _do_statement_vote(self, user, frame, client_id):
        return actions.do_vote_statement(
            self.room_id, user, frame.get("statement_id"), frame.get("vote")
        )

    def _do_statements_toggle(self, user, frame, client_id):
        return actions.do_toggle_statements(self.room_id, user, frame.get("enabled"))

    async def dispatch(self, message: dict) -> None:
        """Call the handler without Channels' per-message close_old_connections.

        Channels sends every incoming message through the sync thread to close stale
        database connections first; in a plenary that is one thread hop per delivery to
        every listener, which cost more than the delivery itself. The handlers here reach
        the database only through db(), which closes stale connections in its own thread.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # Room events and presence, from the process's room hub ---------------------------

    async def hub_deliver(self, message: dict) -> None:
        """Deliver now, unless earlier deliveries are waiting: then queue behind them, so
        one busy connection never holds up the hub's pass over the others."""
        if not self._addressed_to_me(message):
            return
        if message["type"] in ("room.kick", "room.revoke"):
            self._defer(self.dispatch(message))
            return
        if self.delivery.locked() or self.deferred:
            self._defer(self._deliver(message))
            return
        await self._deliver(message)

    def _defer(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.deferred.add(task)
        task.add_done_callback(self.deferred.discard)

    def _addressed_to_me(self, message: dict) -> bool:
        """What only some of the room may see (a removal, a statement under review)
        reaches every connection; each keeps only what is addressed to it."""
        user = self.scope.get("user")
        if user is None or not getattr(self, "permissions", None):
            return False
        return is_addressed_to(message, user.pk, runs_room=self.permissions["can_run"])

    async def _deliver(self, message: dict) -> None:
        async with self.delivery:
            try:
                if message["type"] == "room.event":
                    await self._send_event(message)
                elif message["type"] == "room.presence":
                    await self._send(message["presence"])
                elif message["type"] == "room.frame":
                    await self._send(message["frame"])
            except Exception:
                # Typically a connection that closed before its disconnect was handled;
                # a live client recovers anything it missed when it resumes.
                logger.info("room %s: delivery to %s failed", self.room_id, self.channel_name)

    async def _send_event(self, message: dict) -> None:
        seq = message["seq"]
        if seq <= self.last_sent:
            return
        if seq > self.last_sent + 1:
            await self._replay(after=self.last_sent, upto=seq - 1)
        await self.send(text_data=message["text"])
        self.last_sent = seq

    # Messages from the channel layer ------------------------------------------------

    async def room_event(self, message: dict) -> None:
        """A room event through this connection's own channel (layers without a hub)."""
        await self._deliver(message)

    async def room_presence(self, message: dict) -> None:
        await self._deliver(message)

    async def room_frame(self, message: dict) -> None:
        """A frame outside the room's history (the live map, a statement under review)."""
        if self._addressed_to_me(message):
            await self._deliver(message)

    async def room_kick(self, message: dict) -> None:
        if not self._addressed_to_me(message):
            return
        await self._send(
            {"type": "removed", "reason": "removed", "detail": "You were removed from this room."}
        )
        await self._leave(CLOSE_REMOVED)

    async def room_revoke(self, message: dict) -> None:
        """The person is no longer a participant (moved, seat declined): close at once."""
        if self._addressed_to_me(message):
            await self._leave(CLOSE_FORBIDDEN)

    async def _leave(self, code: int) -> None:
        if self.attendance_id is not None:
            await db(actions.do_leave_room)(self.attendance_id)
            self.attendance_id = None
        await self.close(code=code)

    # Helpers ------------------------------------------------------------------------

    async def _replay(self, *, after: int, upto: int | None = None, force: bool = False) -> None:
        events = await db(events_after)(self.room_id, after, upto)
        for event in events:
            if force or event["seq"] > self.last_sent:
                await self._send(event)
        if events:
            self.last_sent = max(self.last_sent, events[-1]["seq"])

    async def _send(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))

    async def _error(
        self,
        code: str,
        detail: str,
        client_id: str | None = None,
        *,
        reason: str | None = None,
        params: dict | None = None,
    ) -> None:
        """An error frame: ``reason`` and ``params`` say what happened, for the client to
        word in its reader's language; ``detail`` is English, for developers and logs."""
        await self._send(
            {
                "type": "error",
                "code": code,
                "reason": reason or code,
                "params": params or {},
                "detail": detail,
                "client_id": client_id,
            }
        )
