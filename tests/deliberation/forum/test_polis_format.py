"""Polis's export files: the sign of votes, the latest vote, moderation, bad input and the
writers, checked against Polis's open data (CC BY 4.0, The Computational Democracy Project)."""

from __future__ import annotations

import io

import pytest

from deliberation.forum import polis_format as pf
from tests.deliberation.forum.polis_data import polis_dir

VOTES = "timestamp,datetime,comment-id,voter-id,vote\n"


def write(tmp_path, text, name="votes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_is_agree_as_the_wide_file_counts_it():
    folder = polis_dir("scoop-hivemind.taxes")
    votes = pf.latest_votes(pf.read_votes(folder / "votes.csv"))
    agrees: dict = {}
    for v in votes:
        agrees[v.participant] = agrees.get(v.participant, 0) + (v.vote == 1)
    with open(folder / "participants-votes.csv", encoding="utf-8") as handle:
        import csv

        n_agree = {int(r["participant"]): int(r["n-agree"]) for r in csv.DictReader(handle)}
    assert agrees == n_agree


def test_the_latest_vote_is_the_one_in_the_wide_file():
    folder = polis_dir("ssis.land-bank-farmland.2rumnecbeh.2021-08-01")
    all_votes = pf.read_votes(folder / "votes.csv")
    latest = pf.latest_votes(all_votes)
    assert len(latest) < len(all_votes)  # some votes were changed
    wide = pf.read_participants_votes(folder / "participants-votes.csv")
    cells = {
        (pid, sid): vote
        for pid, row in zip(wide.participants, wide.votes, strict=True)
        for sid, vote in zip(wide.statements, row, strict=True)
        if vote is not None
    }
    assert cells == {(v.participant, v.statement): v.vote for v in latest}


def test_latest_votes_keeps_the_last_by_time_not_by_line():
    votes = [pf.Vote(20, 1, 7, -1), pf.Vote(10, 1, 7, 1), pf.Vote(15, 2, 7, 0)]
    assert pf.latest_votes(votes) == [pf.Vote(15, 2, 7, 0), pf.Vote(20, 1, 7, -1)]


def test_only_comments_moderated_out_are_left_out():
    folder = polis_dir("ssis.land-bank-farmland.2rumnecbeh.2021-08-01")
    comments = pf.read_comments(folder / "comments.csv")
    out = pf.moderated_out(comments)
    assert out == {c.id for c in comments if c.moderated == -1}
    assert any(c.moderated == 0 for c in comments)  # unmoderated ones still count
    assert not out & {c.id for c in comments if c.moderated in (0, 1)}


def test_participants_votes_reads_polis_groups():
    folder = polis_dir("scoop-hivemind.taxes")
    wide = pf.read_participants_votes(folder / "participants-votes.csv")
    groups = [g for g in wide.groups.values() if g is not None]
    assert len(groups) == 295 and set(groups) == {0, 1}


def test_detects_each_file_by_its_header():
    folder = polis_dir("scoop-hivemind.taxes")
    assert pf.detect(folder / "votes.csv") == "votes"
    assert pf.detect(folder / "participants-votes.csv") == "participants-votes"
    assert pf.detect(folder / "comments.csv") == "comments"


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, "timestamp,datetime,comment-id,vote\n1,x,0,1\n")
    with pytest.raises(pf.PolisFormatError, match="line 1: missing column\\(s\\): voter-id"):
        pf.read_votes(path)


@pytest.mark.parametrize("value", ["2", "agree", "", "1.0"])
def test_wrong_vote_value_is_refused_with_its_line(tmp_path, value):
    path = write(tmp_path, VOTES + "1,x,0,0,1\n" + f"2,x,0,1,{value}\n")
    with pytest.raises(pf.PolisFormatError, match="line 3: vote must be 1"):
        pf.read_votes(path)


def test_row_with_the_wrong_number_of_fields_is_refused(tmp_path):
    path = write(tmp_path, VOTES + "1,x,0,0\n")
    with pytest.raises(pf.PolisFormatError, match="line 2: 4 fields where the header has 5"):
        pf.read_votes(path)


def test_timestamp_must_be_a_number(tmp_path):
    path = write(tmp_path, VOTES + "yesterday,x,0,0,1\n")
    with pytest.raises(pf.PolisFormatError, match="timestamp must be a whole number"):
        pf.read_votes(path)


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(pf.PolisFormatError, match="empty file"):
        pf.read_votes(write(tmp_path, ""))


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(pf.PolisFormatError, match="cannot read"):
        pf.read_votes(tmp_path / "absent.csv")


def test_wide_file_with_a_bad_cell_is_refused(tmp_path):
    header = ",".join(pf.PARTICIPANTS_FIXED) + ",0,1\n"
    path = write(tmp_path, header + "0,,0,2,1,0,1,x\n", "participants-votes.csv")
    with pytest.raises(pf.PolisFormatError, match="line 2: vote must be"):
        pf.read_participants_votes(path)


def test_wide_file_with_a_repeated_participant_is_refused(tmp_path):
    header = ",".join(pf.PARTICIPANTS_FIXED) + ",0\n"
    path = write(tmp_path, header + "0,,0,1,1,0,1\n0,,0,1,1,0,1\n", "participants-votes.csv")
    with pytest.raises(pf.PolisFormatError, match="line 3: participant 0 appears twice"):
        pf.read_participants_votes(path)


def test_comment_moderation_outside_polis_values_is_refused(tmp_path):
    text = ",".join(pf.COMMENTS_HEADER) + "\n1,x,0,3,0,0,5,hello\n"
    with pytest.raises(pf.PolisFormatError, match="moderated must be -1, 0 or 1"):
        pf.read_comments(write(tmp_path, text, "comments.csv"))


def test_unknown_header_is_not_a_polis_export(tmp_path):
    with pytest.raises(pf.PolisFormatError, match="not a Polis export"):
        pf.detect(write(tmp_path, "a,b\n1,2\n", "other.csv"))


def test_written_votes_read_back(tmp_path):
    votes = [pf.Vote(1567382954698, 3, 11, 1), pf.Vote(1567382954699, 3, 12, -1)]
    path = tmp_path / "votes.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        pf.write_votes(handle, votes)
    assert pf.read_votes(path) == votes
    assert path.read_text().splitlines()[1] == ("1567382954698,Mon Sep 02 00:09:14 UTC 2019,3,11,1")


def test_written_comments_read_back(tmp_path):
    comments = [
        pf.Comment(0, "Parks, not parking", 1, author=4, timestamp=5, agrees=2, disagrees=1),
        pf.Comment(1, '"Quoted", and\nmultiline', -1, author=None, timestamp=6),
    ]
    path = tmp_path / "comments.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        pf.write_comments(handle, comments)
    assert pf.read_comments(path) == comments


def test_written_participants_votes_read_back_with_groups_and_counts(tmp_path):
    votes = [
        pf.Vote(1, "s1", "p", 1),
        pf.Vote(2, "s2", "p", -1),
        pf.Vote(3, "s1", "q", 0),
        pf.Vote(4, "s1", "p", -1),  # p changes their vote
    ]
    buffer = io.StringIO()
    pf.write_participants_votes(
        buffer,
        votes,
        statements=["s1", "s2"],
        groups={"p": 0},
        comments=[pf.Comment("s1", "t", 1, author="q")],
    )
    path = write(tmp_path, buffer.getvalue(), "participants-votes.csv")
    wide = pf.read_participants_votes(path)
    assert wide.participants == ("p", "q")
    assert wide.votes == ((-1, -1), (0, None))
    assert dict(wide.groups) == {"p": 0, "q": None}
    rows = buffer.getvalue().splitlines()
    assert rows[1] == "p,0,0,2,0,2,-1,-1"
    assert rows[2] == "q,,1,1,0,0,0,"
