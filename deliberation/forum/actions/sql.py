"""The room's hot statements on PostgreSQL, with their table names filled in once."""

from __future__ import annotations

import functools
import json

from django.db import connection

from deliberation.forum.models import ModerationAction, Room, RoomEvent

# Taken first, in its own statement, by the one-statement message: the statement that
# follows then reads the room as the lock left it. A statement that waited for the lock
# inside itself would still count the sender's recent messages and sanctions as they were
# when it began, under READ COMMITTED, and a message committed meanwhile would escape
# the rate limit (or a mute).
LOCK_ROOM = """SELECT last_seq FROM {room} WHERE id = %(room)s FOR UPDATE"""

APPEND_EVENT = """
WITH bumped AS (UPDATE {room} SET last_seq = %(seq)s WHERE id = %(room)s)
INSERT INTO {event}
    (room_id, seq, kind, author_id, text, client_id, payload, created_at, hidden_reason,
     is_synthetic)
VALUES (%(room)s, %(seq)s, %(kind)s, %(author)s, %(text)s, %(client_id)s, %(payload)s::jsonb,
        %(now)s, '', false)
RETURNING id
"""


@functools.cache
def statement(template: str) -> str:
    """A room statement with its table names filled in, once per process."""
    quote = connection.ops.quote_name
    return template.format(
        room=quote(Room._meta.db_table),
        moderation=quote(ModerationAction._meta.db_table),
        event=quote(RoomEvent._meta.db_table),
    )


def event_params(event: RoomEvent) -> dict:
    return {
        "room": event.room_id,
        "seq": event.seq,
        "kind": event.kind,
        "author": event.author_id,
        "text": event.text,
        "client_id": event.client_id,
        "payload": json.dumps(event.payload, ensure_ascii=False),
        "now": event.created_at,
    }


ONE_STATEMENT_MESSAGE = """
WITH bumped AS (
    UPDATE {room} SET last_seq = last_seq + 1
    WHERE id = %(room)s
      AND access_version = %(access_version)s
      AND NOT EXISTS (
        SELECT 1 FROM {moderation}
        WHERE room_id = %(room)s AND target_id = %(author)s
          AND (kind = %(remove)s OR (kind = %(mute)s AND until > %(now)s))
      )
      AND NOT EXISTS (
        SELECT 1 FROM {event}
        WHERE room_id = %(room)s AND author_id = %(author)s
          AND client_id = %(client_id)s AND client_id <> ''
      )
      AND (
        SELECT count(*) FROM {event}
        WHERE room_id = %(room)s AND author_id = %(author)s AND kind = 'message'
          AND created_at > %(since)s
      ) < %(limit)s
    RETURNING last_seq
)
INSERT INTO {event}
    (room_id, seq, kind, author_id, text, client_id, payload, created_at, hidden_reason,
     is_synthetic)
SELECT %(room)s, last_seq, 'message', %(author)s, %(text)s, %(client_id)s, '{{}}'::jsonb,
       %(now)s, '', false
FROM bumped
RETURNING id, seq
"""
