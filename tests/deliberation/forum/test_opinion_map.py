"""The opinion map: Polis's method, checked by hand on small matrices and against Polis's own
groups on its open data (CC BY 4.0, The Computational Democracy Project)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deliberation.forum import polis_format
from deliberation.forum.opinion_map import (
    KSmoother,
    OpinionMapError,
    adjusted_rand_index,
    compute_opinion_map,
    prop_test,
    replay_opinion_map,
    two_prop_test,
    vote_matrix,
)
from tests.deliberation.forum.polis_data import (
    CONVERSATIONS,
    polis_dir,
    polis_groups_count,
    two_camps,
)

Z_EIGHT_OF_EIGHT = (8 / 9) / math.sqrt((10 / 18) * (8 / 18) * (2 / 9))  # 3.7947...


def camps(result):
    """The groups as sets of participant ids."""
    out: dict[int, set] = {}
    for p in result.participants:
        if p.group is not None:
            out.setdefault(p.group, set()).add(p.id)
    return sorted(out.values(), key=lambda s: sorted(s))


def group_with(result, pid):
    gid = result.group_of()[pid]
    return next(g for g in result.groups if g.id == gid)


def test_two_camps_form_the_two_groups():
    pids, tids, votes = two_camps()
    result = compute_opinion_map(pids, tids, votes)
    assert camps(result) == [set(pids[:8]), set(pids[8:])]
    assert [g.size for g in result.groups] == [8, 8]


def test_representative_statements_have_polis_figures():
    pids, tids, votes = two_camps()
    group_a = group_with(compute_opinion_map(pids, tids, votes), "a0")
    first, second = group_a.representative
    assert (first.statement, first.repful_for, first.best_agree) == ("s0", "agree", True)
    assert (second.statement, second.repful_for) == ("s1", "disagree")
    for figure in (first, second):
        assert (figure.n_success, figure.n_trials) == (8, 8)
        assert figure.p_success == pytest.approx(0.9)  # (1 + 8) / (2 + 8)
        assert figure.p_test == pytest.approx(3.0)  # 2 sqrt(9) (9/9 - 1/2)
        assert figure.repness == pytest.approx(9.0)  # 0.9 / ((1 + 0) / (2 + 8))
        assert figure.repness_test == pytest.approx(Z_EIGHT_OF_EIGHT)


def test_statement_everyone_agrees_with_is_not_representative():
    pids, tids, votes = two_camps()
    result = compute_opinion_map(pids, tids, votes)
    for group in result.groups:
        assert "s2" not in [s.statement for s in group.representative]


def test_representative_statements_are_the_top_five_with_agrees_first():
    # A agrees with s0 (all) and s1..s3 (6 of 8, 2 pass), disagrees with s4..s6; B the reverse.
    pids = [f"a{i}" for i in range(8)] + [f"b{i}" for i in range(8)]
    rows = []
    for i in range(8):
        weak = 1 if i < 6 else 0
        rows.append([1, weak, weak, weak, -1, -1, -1])
    rows += [[-1, -1, -1, -1, 1, 1, 1]] * 8
    result = compute_opinion_map(pids, [f"s{j}" for j in range(7)], np.array(rows, float))
    reps = group_with(result, "a0").representative
    # Ranked: s0 (best agree, put first), then s4..s6 (stronger) before s1; five kept; then
    # agrees before disagrees.
    assert [(s.statement, s.repful_for) for s in reps] == [
        ("s0", "agree"),
        ("s1", "agree"),
        ("s4", "disagree"),
        ("s5", "disagree"),
        ("s6", "disagree"),
    ]


def test_consensus_of_the_room_and_group_aware_consensus():
    pids, tids, votes = two_camps()
    consensus = compute_opinion_map(pids, tids, votes).consensus
    assert [c.statement for c in consensus.agree] == ["s2"]
    assert consensus.agree[0].p_success == pytest.approx(17 / 18)
    assert consensus.agree[0].p_test == pytest.approx(math.sqrt(17))
    assert consensus.disagree == ()  # s0 and s1: half the room, (1 + 8)/(2 + 16) = 0.5
    by_statement = {c.statement: c for c in consensus.group_aware}
    assert by_statement["s2"].agree == pytest.approx(0.9 * 0.9)
    assert by_statement["s0"].agree == pytest.approx(0.9 * 0.1)
    assert by_statement["s2"].disagree == pytest.approx(0.1 * 0.1)
    assert consensus.group_aware[0].statement == "s2"


def test_moderated_out_statement_is_neither_representative_nor_consensus():
    pids, tids, votes = two_camps()
    votes = np.column_stack([votes, votes[:, 0], np.ones(len(pids))])
    result = compute_opinion_map(
        pids, [*tids, "out_split", "out_all"], votes, excluded_statements={"out_split", "out_all"}
    )
    shown = {s.statement for g in result.groups for s in g.representative}
    shown |= {c.statement for c in result.consensus.agree}
    shown |= {c.statement for c in result.consensus.group_aware}
    assert shown.isdisjoint({"out_split", "out_all"})
    assert set(result.excluded_statements) == {"out_split", "out_all"}


def test_participants_with_fewer_than_seven_votes_are_not_clustered():
    rng = np.random.default_rng(3)
    votes = rng.choice([-1.0, 0.0, 1.0], size=(20, 10))
    votes[:3, 6:] = np.nan  # three participants with 6 votes
    pids = [f"p{i}" for i in range(20)]
    result = compute_opinion_map(pids, [f"s{j}" for j in range(10)], votes)
    clustered = {p.id for p in result.participants if p.group is not None}
    assert clustered == set(pids[3:])
    assert all(p.x is not None for p in result.participants)  # but they are on the map


def test_with_few_statements_voting_on_all_of_them_is_enough():
    pids, tids, votes = two_camps()  # three statements: three votes qualify
    votes[0, 2] = np.nan  # a0 voted on two of three
    result = compute_opinion_map(pids, tids, votes)
    assert result.group_of()["a0"] is None
    assert all(g is not None for pid, g in result.group_of().items() if pid != "a0")


def test_when_fewer_than_fifteen_qualify_the_fifteen_most_active_are_clustered():
    rng = np.random.default_rng(5)
    votes = rng.choice([-1.0, 1.0], size=(20, 10))
    for i in range(20):
        votes[i, 8 - i % 8 :] = np.nan  # 8 - i % 8 votes each ... at most 8
    counts = (~np.isnan(votes)).sum(axis=1)
    result = compute_opinion_map([f"p{i}" for i in range(20)], list(range(10)), votes)
    clustered = [p.group is not None for p in result.participants]
    assert sum(clustered) == 15
    assert min(counts[clustered]) >= max(counts[~np.array(clustered)])


def test_a_participant_without_votes_is_listed_without_a_place():
    pids, tids, votes = two_camps()
    votes = np.vstack([votes, np.full(3, np.nan)])
    result = compute_opinion_map([*pids, "silent"], tids, votes)
    silent = result.participants[-1]
    assert (silent.id, silent.group, silent.x, silent.y, silent.votes) == (
        "silent",
        None,
        None,
        None,
        0,
    )


def test_projection_is_scaled_by_the_share_of_statements_voted_on():
    # Participants 0 and 1 vote alike where both voted; 1 voted on half: pushed out by sqrt(2).
    rng = np.random.default_rng(11)
    votes = rng.choice([-1.0, 1.0], size=(30, 8))
    votes[1] = votes[0]
    votes[1, 4:] = np.nan
    result = compute_opinion_map(list(range(30)), list(range(8)), votes)
    center = np.array(result.center)
    comps = np.array(result.components)
    partial = np.where(np.isnan(votes[1]), 0, votes[1] - center) @ comps.T
    p1 = result.participants[1]
    assert (p1.x, p1.y) == pytest.approx(tuple(partial * math.sqrt(8 / 4)))


def test_same_votes_and_seed_give_the_same_map():
    rng = np.random.default_rng(7)
    votes = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(120, 25))
    args = (list(range(120)), list(range(25)), votes)
    assert (
        compute_opinion_map(*args, seed=4).to_json() == compute_opinion_map(*args, seed=4).to_json()
    )
    assert compute_opinion_map(*args, seed=4).parameters.seed == 4


def test_the_seed_decides_the_base_clustering():
    rng = np.random.default_rng(7)
    votes = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(300, 25))
    maps = {compute_opinion_map(range(300), range(25), votes, seed=s).to_json() for s in range(3)}
    assert len(maps) > 1


def test_k_changes_only_after_the_buffer_of_runs():
    pids, tids, votes = two_camps()
    held = KSmoother(last_k=3, last_k_count=5, smoothed_k=3)
    first = compute_opinion_map(pids, tids, votes, previous_k=held)
    assert first.k_smoother == KSmoother(last_k=2, last_k_count=1, smoothed_k=3)
    nearly = KSmoother(last_k=2, last_k_count=3, smoothed_k=3)
    assert compute_opinion_map(pids, tids, votes, previous_k=nearly).k_smoother.smoothed_k == 2


def test_a_vote_other_than_agree_disagree_pass_is_refused():
    pids, tids, votes = two_camps()
    votes[0, 0] = 2
    with pytest.raises(OpinionMapError, match="1 \\(agree\\)"):
        compute_opinion_map(pids, tids, votes)


def test_votes_of_the_wrong_shape_are_refused():
    pids, tids, votes = two_camps()
    with pytest.raises(OpinionMapError, match="16 x 4"):
        compute_opinion_map(pids, [*tids, "s3"], votes)


def test_a_later_vote_replaces_an_earlier_one():
    pids, tids, mat = vote_matrix([("p", "s", 1), ("q", "s", -1), ("p", "s", 0)])
    assert (pids, tids) == (["p", "q"], ["s"])
    assert mat.tolist() == [[0.0], [-1.0]]


def test_json_holds_participants_groups_consensus_and_parameters():
    import json

    pids, tids, votes = two_camps()
    doc = json.loads(compute_opinion_map(pids, tids, votes, seed=9).to_json())
    assert {"participants", "groups", "consensus", "parameters"} <= set(doc)
    assert doc["participants"][0] == {
        "id": "a0",
        "group": doc["participants"][0]["group"],
        "x": pytest.approx(doc["participants"][0]["x"]),
        "y": pytest.approx(doc["participants"][0]["y"]),
        "votes": 3,
    }
    assert doc["parameters"]["seed"] == 9
    assert {"id", "size", "representative"} == set(doc["groups"][0])


def test_statistics_match_polis_formulas():
    assert prop_test(8, 8) == pytest.approx(3.0)
    assert two_prop_test(8, 0, 8, 8) == pytest.approx(Z_EIGHT_OF_EIGHT)
    assert two_prop_test(3, 3, 3, 3) == 0.0  # every vote a success: Polis returns 0


def test_adjusted_rand_index_known_values():
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    # Table [[2, 1], [0, 2]]: 2 pairs together in both, 4 and 4 in each, 10 pairs in all;
    # (2 - 4*4/10) / ((4+4)/2 - 4*4/10).
    assert adjusted_rand_index([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]) == pytest.approx(
        (2 - 1.6) / (4 - 1.6)
    )
    assert adjusted_rand_index([0, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(-0.5)


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_reproduces_polis_groups_on_its_open_data(name):
    folder = polis_dir(name)
    votes = polis_format.latest_votes(polis_format.read_votes(folder / "votes.csv"))
    excluded = polis_format.moderated_out(polis_format.read_comments(folder / "comments.csv"))
    polis = polis_format.read_participants_votes(folder / "participants-votes.csv").groups
    result = replay_opinion_map(
        [(v.timestamp, v.participant, v.statement, v.vote) for v in votes],
        excluded_statements=excluded,
    )
    ours = result.group_of()
    polis_clustered = [p for p, g in polis.items() if g is not None]
    both = [p for p in polis_clustered if ours.get(p) is not None]
    assert len(result.groups) == polis_groups_count(folder)
    assert len(both) / len(polis_clustered) >= 0.90
    assert adjusted_rand_index([ours[p] for p in both], [polis[p] for p in both]) >= 0.80


def test_numpy_ids_come_out_as_plain_values():
    import json

    pids, tids, votes = two_camps()
    result = compute_opinion_map(
        np.arange(16), np.arange(3), votes, excluded_statements=[np.int64(2)]
    )
    doc = json.loads(result.to_json())
    assert [p["id"] for p in doc["participants"]] == list(range(16))
    assert doc["summary"]["excluded_statements"] == [2]
