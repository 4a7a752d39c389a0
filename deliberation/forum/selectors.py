"""Readers of the forum: what a page or a room needs, in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.http import Http404
from numpy.typing import NDArray

from deliberation.forum.models import (
    ForumGroup,
    OpinionMapSnapshot,
    Room,
    Session,
    Statement,
    StatementVote,
)
from panels.models import Panelist


def allocation_candidates(session: Session) -> list[Panelist]:
    """The deliberation's active panel, in a stable order."""
    return list(
        Panelist.objects.active()
        .filter(deliberation_id=session.deliberation_id)
        .order_by("pseudonym")
    )


def group_room(group: ForumGroup) -> Room:
    """The group's room (opened with the group by actions.rooms.open_rooms)."""
    room = Room.objects.select_related("group", "session").filter(group=group).first()
    if room is None:
        raise Http404("This group has no room.")
    return room


def plenary_room(session: Session) -> Room:
    """The session-wide room (opened with the session by actions.rooms.open_rooms)."""
    room = Room.objects.select_related("session").filter(session=session, group=None).first()
    if room is None:
        raise Http404("This session has no plenary room.")
    return room


@dataclass(frozen=True)
class VoteMatrix:
    """Votes on accepted statements in the shape ``opinion_map.compute_opinion_map`` takes.

    Rows are voters (user ids, ascending), columns statements (ids, ascending), cells 1
    agree, -1 disagree, 0 pass, NaN not voted. The order depends only on the votes, so the
    same votes and seed always give the same map. ``vote_count`` and ``votes_through`` (the
    latest vote's time) tell whether the votes changed since a map was computed.
    """

    participants: list[int]
    statements: list[int]
    votes: NDArray[np.float64]
    texts: dict[int, str]
    rooms: dict[int, int]  # statement id -> its room
    vote_count: int
    votes_through: datetime.datetime | None

    def triples(self) -> list[tuple[int, int, int]]:
        """(voter, statement, vote) of every vote cast, rows then columns."""
        rows, cols = np.nonzero(~np.isnan(self.votes))
        return [
            (self.participants[i], self.statements[j], int(self.votes[i, j]))
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
        ]


def room_vote_matrix(room: Room | int) -> VoteMatrix:
    """A room's vote matrix over its accepted statements, in two queries."""
    room_id = room if isinstance(room, int) else room.pk
    return _vote_matrix(Statement.objects.filter(room_id=room_id))


def session_vote_matrix(session: Session | int) -> VoteMatrix:
    """The vote matrix over every room of a session (groups and plenary), in two queries:
    one person's votes in several rooms of the session are one row."""
    session_id = session if isinstance(session, int) else session.pk
    return _vote_matrix(Statement.objects.filter(room__session_id=session_id))


def _vote_matrix(statements: QuerySet[Statement]) -> VoteMatrix:
    accepted = list(
        statements.filter(status=Statement.Status.ACCEPTED)
        .order_by("pk")
        .values_list("pk", "room_id", "text")
    )
    statement_ids = [pk for pk, _, _ in accepted]
    rows = list(
        StatementVote.objects.filter(
            statement__in=statements.filter(status=Statement.Status.ACCEPTED)
        )
        .order_by()
        .values_list("voter_id", "statement_id", "value", "updated_at")
    )
    participants = sorted({voter for voter, _, _, _ in rows})
    row_of = {voter: i for i, voter in enumerate(participants)}
    col_of = {pk: j for j, pk in enumerate(statement_ids)}
    matrix = np.full((len(participants), len(statement_ids)), np.nan)
    for voter, statement_id, value, _ in rows:
        matrix[row_of[voter], col_of[statement_id]] = float(value)
    return VoteMatrix(
        participants=participants,
        statements=statement_ids,
        votes=matrix,
        texts={pk: text for pk, _, text in accepted},
        rooms={pk: room_id for pk, room_id, _ in accepted},
        vote_count=len(rows),
        votes_through=max((row[3] for row in rows), default=None),
    )


def latest_opinion_map(room: Room | int) -> OpinionMapSnapshot | None:
    """The room's latest kept map, or None before the first one (one query)."""
    room_id = room if isinstance(room, int) else room.pk
    return (
        OpinionMapSnapshot.objects.filter(room_id=room_id).order_by("-computed_at", "-pk").first()
    )
