"""Exports of the live forum for analysts: pseudonymous ids, never usernames or e-mails.

Panelists appear under their Panelist.pseudonym; everyone else as "<role>-<user id>".
The transcript and the questions also carry each author's display name, the name everyone
in the room saw (deliberation.core.names), so the record reads as the discussion did.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Count

from deliberation.core.cells import safe_row
from deliberation.core.names import display_name
from deliberation.core.roles import Role
from deliberation.forum.attendance import merge_intervals, seconds_present
from deliberation.forum.models import (
    Attendance,
    ExpertQuestion,
    GroupRecommendation,
    QuickPoll,
    Room,
    RoomEvent,
    Session,
)
from panels.models import Panelist

ROLE_ORDER = [Role.FACILITATOR, Role.EXPERT, Role.ORGANIZER, Role.ANALYST, Role.PANELIST]


class Pseudonyms:
    """Maps user ids to the only identifiers an analyst may see."""

    def __init__(self, session: Session) -> None:
        self.by_user = dict(
            Panelist.objects.filter(deliberation_id=session.deliberation_id).values_list(
                "user_id", "pseudonym"
            )
        )
        self.roles: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id in self.by_user:
            return self.by_user[user_id]
        if user_id not in self.roles:
            names = set(
                get_user_model().objects.get(pk=user_id).groups.values_list("name", flat=True)
            )
            role = next((r for r in ROLE_ORDER if r in names), "user")
            self.roles[user_id] = f"{role}-{user_id}"
        return self.roles[user_id]


def names_of(user_ids: set[int | None]) -> dict[int | None, str]:
    """Each person's display name, in one query (staff's roles in one more each)."""
    users = get_user_model().objects.filter(pk__in=user_ids - {None}).select_related("profile")
    return {None: "", **{user.pk: display_name(user) for user in users}}


def _room_label(room: Room) -> str:
    return room.group.label if room.group_id else "plenary"


def transcript_rows(session: Session) -> list[dict]:
    ids = Pseudonyms(session)
    events = (
        RoomEvent.objects.filter(room__session=session, kind="message")
        .select_related("room__group")
        .order_by("room_id", "seq")
    )
    names = names_of({event.author_id for event in events})
    return [
        {
            "session_id": session.pk,
            "room_id": event.room_id,
            "room": _room_label(event.room),
            "seq": event.seq,
            "sent_at": event.created_at.isoformat(),
            "author": ids(event.author_id),
            "author_name": names[event.author_id],
            "text": "" if event.hidden_at else event.text,
            "hidden": event.hidden_at is not None,
            "synthetic": event.is_synthetic,
        }
        for event in events
    ]


def synthesis_rows(session: Session) -> list[dict]:
    recommendations = (
        GroupRecommendation.objects.filter(room__session=session)
        .select_related("room__group")
        .annotate(supporters=Count("supports", distinct=True))
        .order_by("room_id", "created_at", "pk")
    )
    member_counts = dict(
        Room.objects.filter(session=session, group__isnull=False)
        .annotate(n=Count("group__members"))
        .values_list("pk", "n")
    )
    return [
        {
            "session_id": session.pk,
            "room_id": r.room_id,
            "room": _room_label(r.room),
            "recommendation_id": r.pk,
            "text": r.text,
            "supporters": r.supporters,
            "members": member_counts.get(r.room_id),
            "recorded_at": r.created_at.isoformat(),
        }
        for r in recommendations
    ]


def questions_rows(session: Session) -> list[dict]:
    ids = Pseudonyms(session)
    questions = (
        ExpertQuestion.objects.filter(room__session=session)
        .select_related("room__group")
        .order_by("room_id", "created_at")
    )
    names = names_of({q.author_id for q in questions} | {q.answered_by_id for q in questions})
    return [
        {
            "session_id": session.pk,
            "room_id": q.room_id,
            "question_id": q.pk,
            "author": ids(q.author_id),
            "author_name": names[q.author_id],
            "text": q.text,
            "votes": q.votes,
            "status": q.status,
            "answer": q.answer,
            "answered_by": ids(q.answered_by_id),
            "answered_by_name": names[q.answered_by_id],
            "asked_at": q.created_at.isoformat(),
        }
        for q in questions
    ]


def polls_rows(session: Session) -> list[dict]:
    rows = []
    polls = QuickPoll.objects.filter(room__session=session).select_related("room__group")
    for poll in polls.order_by("room_id", "opened_at"):
        counts = dict(poll.votes.values_list("option").annotate(n=Count("id")).order_by())
        for index, option in enumerate(poll.options):
            rows.append(
                {
                    "session_id": session.pk,
                    "room_id": poll.room_id,
                    "room": _room_label(poll.room),
                    "poll_id": poll.pk,
                    "question": poll.question,
                    "status": poll.status,
                    "option": option,
                    "votes": counts.get(index, 0)
                    if poll.status == QuickPoll.Status.CLOSED
                    else None,
                }
            )
    return rows


def connection_rows(session: Session) -> list[dict]:
    """Every connection to every room of the session, as recorded."""
    ids = Pseudonyms(session)
    attendances = (
        Attendance.objects.filter(room__session=session)
        .select_related("room__group")
        .order_by("room_id", "joined_at")
    )
    return [
        {
            "session_id": session.pk,
            "room_id": a.room_id,
            "room": _room_label(a.room),
            "participant": ids(a.user_id),
            "joined_at": a.joined_at.isoformat(),
            "left_at": a.left_at.isoformat() if a.left_at else None,
            "seconds": round(a.duration.total_seconds()),
        }
        for a in attendances
    ]


def attendance_rows(session: Session) -> list[dict]:
    """Each participant's time in each room: their connections merged, overlaps once."""
    ids = Pseudonyms(session)
    spans: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    rooms: dict[int, Room] = {}
    for a in Attendance.objects.filter(room__session=session).select_related("room__group"):
        spans[(a.room_id, a.user_id)].append((a.joined_at, a.left_at or a.last_seen_at))
        rooms[a.room_id] = a.room
    rows = []
    for (room_id, user_id), intervals in sorted(spans.items()):
        merged = merge_intervals(intervals)
        rows.append(
            {
                "session_id": session.pk,
                "room_id": room_id,
                "room": _room_label(rooms[room_id]),
                "participant": ids(user_id),
                "first_joined_at": merged[0][0].isoformat(),
                "last_left_at": merged[-1][1].isoformat(),
                "connections": len(intervals),
                "seconds": seconds_present(merged),
            }
        )
    return rows


DATASETS: dict[str, Callable[[Session], list[dict]]] = {
    "transcript": transcript_rows,
    "synthesis": synthesis_rows,
    "questions": questions_rows,
    "polls": polls_rows,
    "attendance": attendance_rows,
    "connections": connection_rows,
}


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.writer(buffer)
        writer.writerow(safe_row(rows[0]))
        writer.writerows(safe_row(row.values()) for row in rows)
    return "\ufeff" + buffer.getvalue()


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1)
