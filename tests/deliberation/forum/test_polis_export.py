"""Gongnon's conversations in Polis's export format: pseudonymous voters, Polis's columns,
the kept map's groups, and files that map back to the same groups."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from deliberation.core.roles import Role
from deliberation.forum import exports
from deliberation.forum.models import Room, Session, Statement
from deliberation.forum.polis_format import (
    COMMENTS_HEADER,
    VOTES_HEADER,
    read_comments,
    read_participants_votes,
    read_votes,
)
from deliberation.forum.selectors import group_room, latest_opinion_map, plenary_room
from tests.factories import ForumGroupFactory, SessionFactory, UserFactory, join
from tests.opinion_fixtures import camps_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    session = SessionFactory(kind=Session.Kind.PLENARY)
    room = plenary_room(session)
    camps_room(room)
    return room


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _partition(groups: dict) -> set[frozenset]:
    by_group: dict = {}
    for who, group in groups.items():
        if group is not None:
            by_group.setdefault(group, set()).add(who)
    return {frozenset(members) for members in by_group.values()}


def test_votes_csv_has_polis_columns_and_one_row_per_vote(room):
    conversation = exports.room_polis(room)
    rows = _rows(exports.polis_file(conversation, "votes"))

    assert tuple(rows[0]) == tuple(VOTES_HEADER)
    assert len(rows) - 1 == 20 * 9
    assert {row[4] for row in rows[1:]} == {"1", "-1", "0"}


def test_voters_are_numbered_never_named(room):
    text = "".join(
        exports.polis_file(exports.room_polis(room), name) for name in exports.POLIS_FILES
    )
    voters = {
        int(row[3]) for row in _rows(exports.polis_file(exports.room_polis(room), "votes"))[1:]
    }

    assert voters == set(range(20))
    for vote in room.statements.first().votes.select_related("voter"):
        assert vote.voter.username not in text and vote.voter.email not in text


def test_comments_csv_keeps_moderation_and_counts(room):
    rows = _rows(exports.polis_file(exports.room_polis(room), "comments"))
    header, body = rows[0], rows[1:]
    by_text = {row[header.index("comment-body")]: row for row in body}

    assert tuple(header) == tuple(COMMENTS_HEADER)
    assert by_text["욕설이 담긴 주장"][header.index("moderated")] == "-1"
    last = by_text["모두 분리배출을 지키자"]
    assert last[header.index("moderated")] == "1"
    statement = Statement.objects.get(room=room, text="모두 분리배출을 지키자")
    assert int(last[header.index("agrees")]) == statement.votes.filter(value=1).count()
    assert int(last[header.index("disagrees")]) == 0


def test_participants_votes_carry_the_kept_maps_groups(room, tmp_path):
    path = tmp_path / "participants-votes.csv"
    path.write_text(exports.polis_file(exports.room_polis(room), "participants-votes"))
    wide = read_participants_votes(path)
    snapshot = latest_opinion_map(room)

    kept = {p["id"]: p["group"] for p in snapshot.result["participants"]}
    ordered = sorted(kept)
    assert _partition({ordered.index(u): g for u, g in kept.items()}) == _partition(wide.groups)
    assert len({g for g in wide.groups.values() if g is not None}) == len(snapshot.result["groups"])


@pytest.mark.parametrize("votes_file", ["votes", "participants-votes"])
def test_the_export_maps_back_to_the_kept_map(room, tmp_path, votes_file):
    conversation = exports.room_polis(room)
    for name in exports.POLIS_FILES:
        (tmp_path / f"{name}.csv").write_text(exports.polis_file(conversation, name))
    out = tmp_path / "map.json"

    call_command(
        "opinion_map",
        votes=str(tmp_path / f"{votes_file}.csv"),
        comments=str(tmp_path / "comments.csv"),
        out=str(out),
        seed=room.opinion_seed,
        updates=1,
        stdout=io.StringIO(),
    )
    mapped = json.loads(out.read_text())
    snapshot = latest_opinion_map(room)

    assert len(read_votes(tmp_path / "votes.csv")) == snapshot.vote_count
    assert len(read_comments(tmp_path / "comments.csv")) == room.statements.count()
    ordered = sorted(p["id"] for p in snapshot.result["participants"])
    kept = {ordered.index(p["id"]): p["group"] for p in snapshot.result["participants"]}
    again = {p["id"]: p["group"] for p in mapped["participants"]}
    assert len(mapped["groups"]) == len(snapshot.result["groups"]) == 2
    assert _partition(again) == _partition(kept)
    assert [s["id"] for s in mapped["statements"] if not s["excluded"]] == sorted(
        int(k) for k in snapshot.tallies
    )


def test_a_session_export_holds_every_room_and_the_single_maps_groups(room):
    conversation = exports.session_polis(room.session)

    assert len(conversation.votes) == latest_opinion_map(room).vote_count
    assert set(conversation.groups.values()) - {None} == {0, 1}


@pytest.mark.parametrize("name", ["session_polis_export", "room_polis_export"])
def test_analysts_download_the_polis_files(client, room, name):
    analyst = UserFactory(role=Role.ANALYST)
    join(analyst, room.session.deliberation, Role.ANALYST)
    client.force_login(analyst)
    target = room.session.pk if name == "session_polis_export" else room.pk

    response = client.get(reverse(f"forum:{name}", args=[target, "comments"]))
    missing = client.get(reverse(f"forum:{name}", args=[target, "summary"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "comments.csv" in response["Content-Disposition"]
    assert missing.status_code == 404


def test_a_panelist_cannot_download_them(client, room):
    client.force_login(room.statements.first().author)

    response = client.get(reverse("forum:room_polis_export", args=[room.pk, "votes"]))

    assert response.status_code == 403


def test_a_session_with_two_mapped_rooms_gives_no_groups():
    session = SessionFactory(kind=Session.Kind.REGIONAL_FORUM)
    for _ in range(2):
        room = group_room(ForumGroupFactory(session=session))
        Room.objects.filter(pk=room.pk).update(statements_enabled=True)
        camps_room(room, per_camp=8)

    conversation = exports.session_polis(session)

    assert len({v.participant for v in conversation.votes}) == 32
    assert conversation.groups == {}
