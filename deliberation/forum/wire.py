"""The JSON shapes a live room sends to its clients (docs/websocket-protocol.md)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from deliberation.core.access import prime_roles
from deliberation.core.names import default_seat, display_name
from deliberation.forum.models import (
    Attendance,
    ExpertQuestion,
    ExpertQuestionVote,
    GroupRecommendation,
    GroupRecommendationSupport,
    HandRaise,
    ModerationAction,
    OpinionMapSnapshot,
    QuickPoll,
    QuickPollVote,
    Room,
    RoomEvent,
    Statement,
    StatementVote,
)
from deliberation.forum.protocol import limits

PRESENCE_TIMEOUT = datetime.timedelta(seconds=75)
RECENT_MESSAGES = 100


def iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def person(user: Any) -> dict | None:
    """A person as the room shows them (deliberation.core.names); ``seat`` is the seat
    number while they go by the default name, so the page names them in its language."""
    if user is None:
        return None
    return {"id": user.pk, "name": display_name(user), "seat": default_seat(user)}


def event_to_wire(event: RoomEvent) -> dict:
    """A stored event as clients receive it, live or replayed; hidden text is withheld."""
    wire = {"type": event.kind, "seq": event.seq, "at": iso(event.created_at)}
    wire.update(event.payload)
    if event.kind == "phase":
        # Events stored before labels moved to the page carry one in the writer's language.
        wire.pop("label", None)
    if event.kind == "message":
        wire["author"] = person(event.author)
        wire["hidden"] = event.hidden_at is not None
        wire["text"] = "" if event.hidden_at else event.text
        wire["client_id"] = event.client_id or None
        wire["synthetic"] = event.is_synthetic
    return wire


def events_after(room_id: int, after: int, upto: int | None = None) -> list[dict]:
    events = RoomEvent.objects.filter(room_id=room_id, seq__gt=after).select_related(
        "author__profile"
    )
    if upto is not None:
        events = events.filter(seq__lte=upto)
    listed = list(events.order_by("seq"))
    prime_roles(event.author for event in listed)
    return [event_to_wire(event) for event in listed]


def queue_state(room: Room) -> dict:
    hands = list(
        HandRaise.objects.filter(room=room)
        .select_related("user__profile")
        .order_by("raised_at", "pk")
    )
    speaker = room.speaker if room.speaker_id else None
    prime_roles([speaker, *(hand.user for hand in hands)])
    return {
        "hands": [
            {**person(hand.user), "raised_at": iso(hand.raised_at)}  # type: ignore[dict-item]
            for hand in hands
        ],
        "speaker": person(speaker),
        "speaker_until": iso(room.speaker_until) if speaker else None,
    }


def phase_state(room: Room) -> dict:
    """The phase as a code: each page names it in its reader's language."""
    return {"phase": room.phase}


def timer_state(room: Room) -> dict:
    return {"ends_at": iso(room.timer_ends_at), "label": room.timer_label}


def question_wire(question: ExpertQuestion) -> dict:
    return {
        "id": question.pk,
        "text": question.text,
        "author": person(question.author),
        "status": question.status,
        "votes": question.votes,
        "answer": question.answer,
        "answered_by": person(question.answered_by),
        "answered_at": iso(question.answered_at),
    }


def poll_wire(poll: QuickPoll, counts: Mapping[int, int] | None = None) -> dict:
    """A poll as the client sees it; a closed one with its results. ``counts`` (option ->
    votes) saves the query when the caller counted many polls at once."""
    wire = {
        "id": poll.pk,
        "question": poll.question,
        "options": poll.options,
        "status": poll.status,
        "results": None,
    }
    if poll.status == QuickPoll.Status.CLOSED:
        if counts is None:
            counts = closed_poll_counts([poll.pk]).get(poll.pk, {})
        wire["results"] = [counts.get(index, 0) for index in range(len(poll.options))]
    return wire


def closed_poll_counts(poll_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """Votes per option of each poll, in one query: poll id -> option -> votes."""
    counts: dict[int, dict[int, int]] = {}
    rows = (
        QuickPollVote.objects.filter(poll_id__in=list(poll_ids))
        .values_list("poll_id", "option")
        .annotate(n=Count("id"))
        .order_by()
    )
    for poll_id, option, n in rows:
        counts.setdefault(poll_id, {})[option] = n
    return counts


def recommendation_wire(recommendation: GroupRecommendation, supporters: int) -> dict:
    return {"id": recommendation.pk, "text": recommendation.text, "supporters": supporters}


def present_users(room_id: int) -> list[dict]:
    """Who is connected now, from every worker; rows of dead workers age out."""
    cutoff = timezone.now() - PRESENCE_TIMEOUT
    live = (
        Attendance.objects.filter(room_id=room_id, left_at__isnull=True, last_seen_at__gte=cutoff)
        .select_related("user__profile")
        .order_by("user_id")
    )
    users = {attendance.user_id: attendance.user for attendance in live}
    # Naming a person may ask for their roles: read them for the whole room at once.
    prime_roles(users.values())
    return [person(user) for user in users.values()]


def active_sanction(room_id: int, user_id: int) -> ModerationAction | None:
    """A removal, or a mute still running, for this user in this room (one query)."""
    return (
        ModerationAction.objects.filter(room_id=room_id, target_id=user_id)
        .filter(
            Q(kind=ModerationAction.Kind.REMOVE)
            | Q(kind=ModerationAction.Kind.MUTE, until__gt=timezone.now())
        )
        .order_by("-kind", "-until")
        .first()
    )


def snapshot(room: Room, user: Any, *, permissions: dict, resuming: bool = False) -> dict:
    """The room's current state for one user, sent on every (re)connection.

    A resuming client already shows the chat and is sent what it missed as events, so
    its snapshot leaves the recent messages out: after a worker dies, everyone it served
    reconnects at once, and this is the largest part of each welcome.
    """
    last_seq = room.last_seq
    recent = (
        []
        if resuming
        else list(
            RoomEvent.objects.filter(room=room, kind="message", seq__lte=last_seq)
            .select_related("author__profile")
            .order_by("-seq")[:RECENT_MESSAGES]
        )
    )
    questions = list(
        ExpertQuestion.objects.filter(room=room).select_related(
            "author__profile", "answered_by__profile"
        )
    )
    upvoted = set(
        ExpertQuestionVote.objects.filter(question__room=room, user=user).values_list(
            "question_id", flat=True
        )
    )
    polls = list(QuickPoll.objects.filter(room=room).order_by("opened_at"))
    my_votes = dict(
        QuickPollVote.objects.filter(poll__room=room, user=user).values_list("poll_id", "option")
    )
    counts = closed_poll_counts(p.pk for p in polls if p.status == QuickPoll.Status.CLOSED)
    recommendations = list(
        GroupRecommendation.objects.filter(room=room)
        .annotate(n=Count("supports"))
        .order_by("created_at", "pk")
    )
    supported = set(
        GroupRecommendationSupport.objects.filter(recommendation__room=room, user=user).values_list(
            "recommendation_id", flat=True
        )
    )
    sanction = active_sanction(room.pk, user.pk)
    prime_roles(
        [
            *(event.author for event in recent),
            *(q.author for q in questions),
            *(q.answered_by for q in questions),
        ]
    )
    return {
        "type": "welcome",
        "room": {
            "id": room.pk,
            "kind": "plenary" if room.is_plenary else "group",
            "name": room.group.name if room.group_id else room.session.title,
            # A numbered group's number, for a client to name it in its reader's language.
            "number": room.group.number if room.group_id else None,
            "session": room.session.title,
        },
        "you": {
            **person(user),  # type: ignore[dict-item]
            **permissions,
            "muted_until": iso(sanction.until)
            if sanction and sanction.kind == ModerationAction.Kind.MUTE
            else None,
        },
        "last_seq": last_seq,
        "server_time": iso(timezone.now()),
        "limits": limits(),
        "phase": phase_state(room),
        "phases": list(Room.Phase.values),
        "timer": timer_state(room),
        "queue": queue_state(room),
        "presence": present_users(room.pk),
        "recent_messages": [event_to_wire(event) for event in reversed(recent)],
        "questions": [{**question_wire(q), "upvoted": q.pk in upvoted} for q in questions],
        "polls": [
            {**poll_wire(p, counts.get(p.pk, {})), "my_vote": my_votes.get(p.pk)} for p in polls
        ],
        "recommendations": [
            {**recommendation_wire(r, r.n), "supported": r.pk in supported} for r in recommendations
        ],
        "statements": statements_state(room, user, can_run=bool(permissions.get("can_run"))),
    }


# Statements and the opinion map -------------------------------------------------------


def statement_wire(statement: Statement, *, review: bool = False) -> dict:
    """A statement as voters see it: no author, so a statement is judged on its words.
    ``review`` adds what its moderators and its author see (the author, the moderation)."""
    wire = {"id": statement.pk, "text": statement.text, "status": statement.status}
    if review:
        wire.update(
            author=person(statement.author),
            rejection_reason=statement.rejection_reason,
            moderated_by=person(statement.moderated_by),
            moderated_at=iso(statement.moderated_at),
            created_at=iso(statement.created_at),
        )
    return wire


def statement_order_key(seed: int, user_id: int, statement_id: int) -> str:
    """A tie-break among statements with as many votes: random-looking, fixed by the room's
    seed, and different for each voter so that ties spread their votes."""
    return hashlib.sha256(f"{seed}:{user_id}:{statement_id}".encode()).hexdigest()


def pick_next_statement(
    counts: Mapping[int, int], voted: Iterable[int], *, seed: int, user_id: int
) -> int | None:
    """The statement to show a voter next: of those they have not voted on, the one with
    the fewest votes, ties broken by ``statement_order_key``."""
    done = set(voted)
    candidates = [pk for pk in counts if pk not in done]
    if not candidates:
        return None
    return min(candidates, key=lambda pk: (counts[pk], statement_order_key(seed, user_id, pk)))


def accepted_vote_counts(room_id: int) -> dict[int, int]:
    """Votes cast on each accepted statement of the room (one query)."""
    return dict(
        Statement.objects.filter(room_id=room_id, status=Statement.Status.ACCEPTED)
        .annotate(n=Count("votes"))
        .values_list("pk", "n")
    )


def opinion_map_wire(snapshot: OpinionMapSnapshot) -> dict:
    """The kept map as a room shows it (the frame ``opinion_map``): points without who they
    are, each group's size and representative statements with the group's share, the
    consensus statements, and every statement's tallies."""
    result = snapshot.result
    points = sorted(
        [round(p["x"], 4), round(p["y"], 4), p["group"]]
        for p in result["participants"]
        if p["x"] is not None
    )

    def share(figure: dict) -> int:
        return round(100 * figure["n_success"] / figure["n_trials"]) if figure["n_trials"] else 0

    groups = [
        {
            "id": group["id"],
            "size": group["size"],
            "representative": [
                {
                    "statement": figure["statement"],
                    "repful_for": figure["repful_for"],
                    "percent": share(figure),
                    "votes": figure["n_trials"],
                }
                for figure in group["representative"]
            ],
        }
        for group in result["groups"]
    ]
    consensus = {
        side: [
            {
                "statement": figure["statement"],
                "percent": share(figure),
                "votes": figure["n_trials"],
            }
            for figure in result["consensus"][side]
        ]
        for side in ("agree", "disagree")
    }
    return {
        "type": "opinion_map",
        "computed_at": iso(snapshot.computed_at),
        "votes": snapshot.vote_count,
        "participants": result["summary"]["participants"],
        "clustered": result["summary"]["clustered"],
        "points": points,
        "groups": groups,
        "consensus": consensus,
        "tallies": snapshot.tallies,
    }


def statements_state(room: Room, user: Any, *, can_run: bool) -> dict:
    """What the welcome carries of the room's statements, in four queries (none while
    statements are off): the accepted ones with their votes, those waiting for moderation
    (to whoever runs the room), the user's own not accepted, the user's votes, the next
    statement to show them and the latest map."""
    if not room.statements_on:
        return {
            "enabled": False,
            "accepted": [],
            "pending": [],
            "mine": [],
            "my_votes": {},
            "next": None,
            "opinion_map": None,
        }
    statements = list(
        Statement.objects.filter(room=room)
        .select_related("author__profile", "moderated_by__profile")
        .annotate(n=Count("votes"))
        .order_by("created_at", "pk")
    )
    my_votes = dict(
        StatementVote.objects.filter(statement__room=room, voter=user).values_list(
            "statement_id", "value"
        )
    )
    latest = OpinionMapSnapshot.objects.filter(room=room).order_by("-computed_at", "-pk").first()
    accepted = [s for s in statements if s.status == Statement.Status.ACCEPTED]
    counts = {s.pk: s.n for s in accepted}
    next_id = pick_next_statement(counts, my_votes, seed=room.opinion_seed, user_id=user.pk)
    by_id = {s.pk: s for s in accepted}
    return {
        "enabled": True,
        "accepted": [{**statement_wire(s), "votes": s.n} for s in accepted],
        "pending": [
            statement_wire(s, review=True)
            for s in statements
            if can_run and s.status == Statement.Status.PENDING
        ],
        "mine": [
            statement_wire(s, review=True)
            for s in statements
            if s.author_id == user.pk and s.status != Statement.Status.ACCEPTED
        ],
        "my_votes": {str(pk): value for pk, value in my_votes.items()},
        "next": statement_wire(by_id[next_id]) if next_id is not None else None,
        "opinion_map": opinion_map_wire(latest) if latest else None,
    }
