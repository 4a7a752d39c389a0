"""Statements and votes for the opinion map: moderation, one vote per statement, the next
statement to show, the vote matrix and the kept map."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.core.models import AuditLogEntry
from deliberation.forum import actions
from deliberation.forum.actions.statements import compute_room_map
from deliberation.forum.models import OpinionMapSnapshot, Room, Statement, StatementVote
from deliberation.forum.opinion_map import KSmoother
from deliberation.forum.protocol import MAX_STATEMENT_CHARS, STATEMENT_LIMIT
from deliberation.forum.selectors import room_vote_matrix, session_vote_matrix
from deliberation.forum.wire import pick_next_statement, snapshot, statement_order_key
from tests.factories import PanelistFactory

ActionRefused = actions.ActionRefused


def _accepted(plenary, text: str) -> Statement:
    # Seeded by the moderator, whose statements the panelists' rate limit does not count.
    statement = actions.do_submit_statement(plenary.room.pk, plenary.moderator, text)
    actions.do_moderate_statement(plenary.room.pk, plenary.moderator, statement.pk, "accept")
    statement.refresh_from_db()
    return statement


def _refused(reason: str, function, *args) -> ActionRefused:
    with pytest.raises(ActionRefused) as refused:
        function(*args)
    assert refused.value.reason == reason
    return refused.value


def test_a_submitted_statement_waits_for_moderation(plenary):
    statement = actions.do_submit_statement(plenary.room.pk, plenary.carol, " 소각장은 멀리 ")

    assert statement.status == Statement.Status.PENDING
    assert statement.text == "소각장은 멀리"
    assert statement.author == plenary.carol


def test_the_moderator_accepts_a_statement_as_a_room_event(plenary):
    statement = actions.do_submit_statement(plenary.room.pk, plenary.carol, "재활용을 늘리자")
    event = actions.do_moderate_statement(
        plenary.room.pk, plenary.moderator, statement.pk, "accept"
    )

    statement.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED
    assert statement.moderated_by == plenary.moderator and statement.moderated_at is not None
    assert event.kind == "statement"
    assert event.payload["statement"] == {
        "id": statement.pk,
        "text": "재활용을 늘리자",
        "status": "accepted",
    }
    assert AuditLogEntry.objects.filter(event_type="statement.moderated").count() == 1


def test_a_rejection_keeps_its_reason_and_is_no_room_event(plenary):
    statement = actions.do_submit_statement(plenary.room.pk, plenary.carol, "욕설")
    last_seq = Room.objects.get(pk=plenary.room.pk).last_seq
    actions.do_moderate_statement(
        plenary.room.pk, plenary.moderator, statement.pk, "reject", "personal attack"
    )

    statement.refresh_from_db()
    assert statement.status == Statement.Status.REJECTED
    assert statement.rejection_reason == "personal attack"
    assert Room.objects.get(pk=plenary.room.pk).last_seq == last_seq


def test_a_rejection_without_a_reason_is_refused(plenary):
    statement = actions.do_submit_statement(plenary.room.pk, plenary.carol, "욕설")
    _refused(
        "empty_text",
        actions.do_moderate_statement,
        plenary.room.pk,
        plenary.moderator,
        statement.pk,
        "reject",
        "",
    )
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PENDING


@pytest.mark.parametrize("who", ["carol", "expert"])
def test_only_whoever_runs_the_room_moderates(plenary, who):
    statement = actions.do_submit_statement(plenary.room.pk, plenary.carol, "재활용을 늘리자")
    _refused(
        "facilitator_only",
        actions.do_moderate_statement,
        plenary.room.pk,
        getattr(plenary, who),
        statement.pk,
        "accept",
    )
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PENDING and statement.moderated_by is None


def test_a_moderated_statement_is_not_moderated_again(plenary):
    statement = _accepted(plenary, "재활용을 늘리자")
    _refused(
        "statement_moderated",
        actions.do_moderate_statement,
        plenary.room.pk,
        plenary.moderator,
        statement.pk,
        "reject",
        "changed my mind",
    )


def test_an_oversized_statement_is_refused_and_nothing_changes(plenary):
    refusal = _refused(
        "statement_too_long",
        actions.do_submit_statement,
        plenary.room.pk,
        plenary.carol,
        "가" * (MAX_STATEMENT_CHARS + 1),
    )
    assert refusal.code == "too_large" and refusal.params == {"max": MAX_STATEMENT_CHARS}
    assert not Statement.objects.exists()


def test_statements_are_rate_limited_from_what_is_stored(plenary):
    for k in range(STATEMENT_LIMIT):
        actions.do_submit_statement(plenary.room.pk, plenary.carol, f"의견 {k}")
    _refused("statement_rate", actions.do_submit_statement, plenary.room.pk, plenary.carol, "더")
    assert Statement.objects.count() == STATEMENT_LIMIT


def test_one_vote_per_statement_and_a_new_vote_replaces_it(plenary):
    statement = _accepted(plenary, "재활용을 늘리자")
    actions.do_vote_statement(plenary.room.pk, plenary.dan, statement.pk, 1)
    first = StatementVote.objects.get()
    actions.do_vote_statement(plenary.room.pk, plenary.dan, statement.pk, -1)

    vote = StatementVote.objects.get()
    assert vote.value == -1 and vote.pk == first.pk
    assert vote.updated_at > first.updated_at


@pytest.mark.parametrize("decision", [None, "reject"])
def test_a_vote_on_a_pending_or_rejected_statement_is_refused(plenary, decision):
    statement = actions.do_submit_statement(plenary.room.pk, plenary.carol, "재활용을 늘리자")
    if decision:
        actions.do_moderate_statement(
            plenary.room.pk, plenary.moderator, statement.pk, decision, "off topic"
        )
    _refused(
        "no_statement", actions.do_vote_statement, plenary.room.pk, plenary.dan, statement.pk, 1
    )
    assert not StatementVote.objects.exists()


@pytest.mark.parametrize("value", [2, "1", True, None])
def test_a_vote_other_than_agree_disagree_pass_is_refused(plenary, value):
    statement = _accepted(plenary, "재활용을 늘리자")
    _refused(
        "bad_vote", actions.do_vote_statement, plenary.room.pk, plenary.dan, statement.pk, value
    )
    assert not StatementVote.objects.exists()


def test_whoever_runs_the_room_does_not_vote(plenary):
    statement = _accepted(plenary, "재활용을 늘리자")
    _refused(
        "panelists_only",
        actions.do_vote_statement,
        plenary.room.pk,
        plenary.moderator,
        statement.pk,
        1,
    )


def test_a_non_member_cannot_submit_or_vote(forum):
    actions.do_toggle_statements(forum.room.pk, forum.facilitator, True)
    statement = actions.do_submit_statement(forum.room.pk, forum.alice, "분리수거 교육")
    actions.do_moderate_statement(forum.room.pk, forum.facilitator, statement.pk, "accept")
    _refused("revoked", actions.do_submit_statement, forum.room.pk, forum.outsider, "나도")
    _refused("revoked", actions.do_vote_statement, forum.room.pk, forum.outsider, statement.pk, 1)
    assert Statement.objects.count() == 1 and not StatementVote.objects.exists()


def test_a_group_room_has_statements_only_once_its_facilitator_turns_them_on(forum):
    _refused("statements_off", actions.do_submit_statement, forum.room.pk, forum.alice, "의견")
    _refused("facilitator_only", actions.do_toggle_statements, forum.room.pk, forum.alice, True)
    event = actions.do_toggle_statements(forum.room.pk, forum.facilitator, True)

    assert event.kind == "statements" and event.payload == {"enabled": True}
    assert Room.objects.get(pk=forum.room.pk).statements_enabled
    assert actions.do_submit_statement(forum.room.pk, forum.alice, "의견").pk
    actions.do_toggle_statements(forum.room.pk, forum.facilitator, False)
    _refused("statements_off", actions.do_submit_statement, forum.room.pk, forum.alice, "또")


def test_the_plenary_always_has_statements(plenary):
    _refused(
        "plenary_statements",
        actions.do_toggle_statements,
        plenary.room.pk,
        plenary.moderator,
        False,
    )


def test_the_next_statement_has_the_fewest_votes():
    counts = {1: 3, 2: 1, 3: 2}
    assert pick_next_statement(counts, [], seed=7, user_id=5) == 2
    assert pick_next_statement(counts, [2], seed=7, user_id=5) == 3
    assert pick_next_statement(counts, [1, 2, 3], seed=7, user_id=5) is None


def test_ties_in_votes_are_broken_by_the_seed():
    counts = {pk: 0 for pk in range(1, 21)}
    by_seed = {
        seed: [pick_next_statement(counts, [], seed=seed, user_id=user) for user in range(10)]
        for seed in (1, 2)
    }
    again = [pick_next_statement(counts, [], seed=1, user_id=user) for user in range(10)]

    assert by_seed[1] == again
    assert by_seed[1] != by_seed[2]
    assert len(set(by_seed[1])) > 1  # voters spread over the tied statements
    assert by_seed[1][0] == min(counts, key=lambda pk: statement_order_key(1, 0, pk))


def test_the_vote_ack_names_the_next_statement(plenary):
    first = _accepted(plenary, "첫째")
    second = _accepted(plenary, "둘째")
    actions.do_vote_statement(plenary.room.pk, plenary.carol, first.pk, 1)  # first: 1 vote
    answer = actions.do_vote_statement(plenary.room.pk, plenary.dan, second.pk, 0)

    assert answer["statement_id"] == second.pk and answer["vote"] == 0
    assert answer["next"] == {"id": first.pk, "text": "첫째", "status": "accepted"}
    assert actions.do_vote_statement(plenary.room.pk, plenary.dan, first.pk, 1)["next"] is None


def _votes(plenary, statements, table):
    """table: one row per voter, one vote (or None) per statement."""
    voters = [plenary.carol, plenary.dan] + [
        PanelistFactory(deliberation=plenary.session.deliberation).user
        for _ in range(len(table) - 2)
    ]
    for voter, row in zip(voters, table, strict=True):
        for statement, value in zip(statements, row, strict=True):
            if value is not None:
                actions.do_vote_statement(plenary.room.pk, voter, statement.pk, value)
    return voters


def test_the_vote_matrix_is_read_in_two_queries_in_the_cores_shape(plenary):
    statements = [_accepted(plenary, f"의견 {k}") for k in range(3)]
    pending = actions.do_submit_statement(plenary.room.pk, plenary.dan, "대기")
    voters = _votes(plenary, statements, [[1, -1, None], [0, 1, 1], [None, None, -1]])

    with CaptureQueriesContext(connection) as queries:
        matrix = room_vote_matrix(plenary.room)
    assert len(queries) == 2
    assert matrix.participants == sorted(v.pk for v in voters)
    assert matrix.statements == [s.pk for s in statements] and pending.pk not in matrix.texts
    row = {pk: i for i, pk in enumerate(matrix.participants)}
    got = matrix.votes[row[voters[0].pk]]
    assert got[0] == 1 and got[1] == -1 and np.isnan(got[2])
    assert matrix.vote_count == 6
    assert session_vote_matrix(plenary.session).vote_count == 6


def _divided(plenary, n_statements=8, n_voters=16):
    statements = [_accepted(plenary, f"의견 {k}") for k in range(n_statements)]
    table = [
        [(1 if (k < n_statements // 2) == (v % 2 == 0) else -1) for k in range(n_statements)]
        for v in range(n_voters)
    ]
    _votes(plenary, statements, table)
    return statements


def test_the_stored_map_is_determined_by_the_votes_and_the_seed(plenary):
    _divided(plenary)
    snapshot_ = actions.do_refresh_opinion_map(plenary.room.pk)

    assert snapshot_ is not None and snapshot_.seed == plenary.room.opinion_seed
    assert snapshot_.result["summary"]["groups"] == 2
    matrix = room_vote_matrix(plenary.room)
    again = compute_room_map(matrix, seed=snapshot_.seed, previous_k=None)
    assert again.to_dict() == snapshot_.result
    other = compute_room_map(matrix, seed=snapshot_.seed + 1, previous_k=None)
    assert other.parameters.seed != snapshot_.result["parameters"]["seed"]


def test_a_refresh_without_new_votes_keeps_the_last_map(plenary):
    _divided(plenary)
    assert actions.do_refresh_opinion_map(plenary.room.pk) is not None
    assert actions.do_refresh_opinion_map(plenary.room.pk) is None
    assert OpinionMapSnapshot.objects.count() == 1


def test_a_changed_vote_makes_a_new_map_that_remembers_the_last_k(plenary):
    statements = _divided(plenary)
    first = actions.do_refresh_opinion_map(plenary.room.pk)
    actions.do_vote_statement(plenary.room.pk, plenary.carol, statements[0].pk, -1)
    second = actions.do_refresh_opinion_map(plenary.room.pk)

    assert second is not None and second.vote_count == first.vote_count
    assert second.parameters["previous_k"] == first.result["summary"]["k_smoother"]
    previous = KSmoother(**second.parameters["previous_k"])
    again = compute_room_map(room_vote_matrix(plenary.room), seed=second.seed, previous_k=previous)
    assert again.to_dict() == second.result
    assert second.tallies[str(statements[0].pk)] == [7, 9, 0]


def test_the_welcome_carries_statements_votes_and_the_next_one(plenary):
    accepted = _accepted(plenary, "공개")
    other = _accepted(plenary, "다른")
    waiting = actions.do_submit_statement(plenary.room.pk, plenary.dan, "대기")
    actions.do_vote_statement(plenary.room.pk, plenary.carol, accepted.pk, -1)

    carol = snapshot(plenary.room, plenary.carol, permissions={"can_run": False})["statements"]
    dan = snapshot(plenary.room, plenary.dan, permissions={"can_run": False})["statements"]
    runner = snapshot(plenary.room, plenary.moderator, permissions={"can_run": True})["statements"]

    assert [s["id"] for s in carol["accepted"]] == [accepted.pk, other.pk]
    assert carol["my_votes"] == {str(accepted.pk): -1}
    assert carol["next"]["id"] == other.pk
    assert carol["pending"] == [] and carol["mine"] == []
    assert [s["id"] for s in dan["mine"]] == [waiting.pk] and dan["pending"] == []
    assert [s["id"] for s in runner["pending"]] == [waiting.pk]
    assert runner["pending"][0]["author"]["id"] == plenary.dan.pk
    assert "author" not in carol["accepted"][0]


def test_the_welcome_reads_the_statements_in_a_fixed_number_of_queries(plenary):
    def welcome_queries() -> int:
        snapshot(plenary.room, plenary.carol, permissions={"can_run": False})
        with CaptureQueriesContext(connection) as queries:
            snapshot(plenary.room, plenary.carol, permissions={"can_run": False})
        return len(queries)

    first = _accepted(plenary, "첫째")
    actions.do_vote_statement(plenary.room.pk, plenary.carol, first.pk, 1)
    one = welcome_queries()
    for k in range(STATEMENT_LIMIT):
        statement = _accepted(plenary, f"의견 {k}")
        actions.do_vote_statement(plenary.room.pk, plenary.carol, statement.pk, -1)
        actions.do_submit_statement(plenary.room.pk, plenary.dan, f"대기 {k}")
    actions.do_refresh_opinion_map(plenary.room.pk)

    assert welcome_queries() == one


def test_a_vote_is_no_room_event(plenary):
    statement = _accepted(plenary, "재활용을 늘리자")
    last_seq = Room.objects.get(pk=plenary.room.pk).last_seq
    actions.do_vote_statement(plenary.room.pk, plenary.dan, statement.pk, 1)
    actions.do_vote_statement(plenary.room.pk, plenary.dan, statement.pk, 0)

    assert Room.objects.get(pk=plenary.room.pk).last_seq == last_seq
