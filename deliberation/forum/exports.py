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
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, QuerySet, Subquery

from deliberation.core.cells import safe_row
from deliberation.core.names import display_name
from deliberation.core.roles import Role
from deliberation.forum import polis_format
from deliberation.forum.attendance import merge_intervals, seconds_present
from deliberation.forum.models import (
    Attendance,
    ExpertQuestion,
    GroupRecommendation,
    OpinionMapSnapshot,
    QuickPoll,
    Room,
    RoomEvent,
    Session,
    Statement,
    StatementVote,
)
from deliberation.forum.selectors import latest_opinion_map
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


# Polis's export format (docs/opinion-map.md, "Writing Polis's format"): a room's or a
# session's statements and votes as votes.csv, comments.csv and participants-votes.csv.

POLIS_FILES = ("votes", "comments", "participants-votes")


@dataclass(frozen=True)
class PolisConversation:
    """A conversation in polis_format's records, voters numbered for this export only.

    Voters and authors are numbered 0, 1, … in the order of their user ids, so the rows of a
    map computed from the files come in the order the room's own map uses; the numbers say
    nothing about who anyone is and differ from one conversation to the next.
    """

    votes: list[polis_format.Vote]
    comments: list[polis_format.Comment]
    statements: list[int]
    groups: dict[int, int | None]


MODERATED = {
    Statement.Status.ACCEPTED: 1,
    Statement.Status.PENDING: 0,
    Statement.Status.REJECTED: -1,
}


def _millis(moment) -> int:
    return int(moment.timestamp() * 1000)


def polis_conversation(
    statements: QuerySet[Statement], snapshot: OpinionMapSnapshot | None
) -> PolisConversation:
    """The statements' votes and moderation, with the groups of the kept map (when given)."""
    rows = list(
        statements.order_by("pk").values_list("pk", "author_id", "status", "created_at", "text")
    )
    cast = list(
        StatementVote.objects.filter(
            statement__in=statements.filter(status=Statement.Status.ACCEPTED)
        )
        .order_by("updated_at", "pk")
        .values_list("voter_id", "statement_id", "value", "updated_at")
    )
    people = sorted({voter for voter, _, _, _ in cast} | {a for _, a, _, _, _ in rows if a})
    number = {user_id: i for i, user_id in enumerate(people)}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _, statement_id, value, _ in cast:
        if value == 1:
            counts[statement_id][0] += 1
        elif value == -1:
            counts[statement_id][1] += 1
    comments = [
        polis_format.Comment(
            id=pk,
            text=text,
            moderated=MODERATED[status],
            author=number.get(author_id) if author_id else None,
            timestamp=_millis(created_at),
            agrees=counts[pk][0],
            disagrees=counts[pk][1],
        )
        for pk, author_id, status, created_at, text in rows
    ]
    votes = [
        polis_format.Vote(
            timestamp=_millis(updated_at),
            statement=statement_id,
            participant=number[voter],
            vote=value,
        )
        for voter, statement_id, value, updated_at in cast
    ]
    groups: dict[int, int | None] = {}
    if snapshot is not None:
        for point in snapshot.result.get("participants", []):
            if point["id"] in number:
                groups[number[point["id"]]] = point["group"]
    accepted = [pk for pk, _, status, _, _ in rows if status == Statement.Status.ACCEPTED]
    return PolisConversation(votes=votes, comments=comments, statements=accepted, groups=groups)


def room_polis(room: Room) -> PolisConversation:
    """A room's conversation, its groups from the room's latest kept map."""
    return polis_conversation(Statement.objects.filter(room=room), latest_opinion_map(room))


def session_polis(session: Session) -> PolisConversation:
    """A session's statements and votes in every room as one conversation. Groups are given
    only when one room of the session has a kept map: the groups of two rooms' maps are not
    the same groups."""
    latest = (
        OpinionMapSnapshot.objects.filter(room=OuterRef("room"))
        .order_by("-computed_at", "-pk")
        .values("pk")[:1]
    )
    snapshots = list(
        OpinionMapSnapshot.objects.filter(room__session=session, pk=Subquery(latest))[:2]
    )
    return polis_conversation(
        Statement.objects.filter(room__session=session),
        snapshots[0] if len(snapshots) == 1 else None,
    )


def polis_file(conversation: PolisConversation, name: str) -> str:
    """One of Polis's files as text: ``votes``, ``comments`` or ``participants-votes``."""
    buffer = io.StringIO()
    if name == "votes":
        polis_format.write_votes(buffer, conversation.votes)
    elif name == "comments":
        polis_format.write_comments(buffer, conversation.comments)
    elif name == "participants-votes":
        polis_format.write_participants_votes(
            buffer,
            conversation.votes,
            statements=conversation.statements,
            groups=conversation.groups,
            comments=conversation.comments,
        )
    else:
        raise ValueError(name)
    return buffer.getvalue()
