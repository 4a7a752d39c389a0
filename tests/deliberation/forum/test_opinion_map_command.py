"""The opinion_map command: map.json from Polis's export files, and nothing written on bad
input. Uses Polis's open data (CC BY 4.0, The Computational Democracy Project)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from deliberation.forum import polis_format as pf
from tests.deliberation.forum.polis_data import polis_dir, two_camps

COMMENTS = ",".join(pf.COMMENTS_HEADER) + "\n"


def camps_votes_csv() -> str:
    """The two camps as a votes.csv: camp A are voters 0-7, camp B 100-107, statements 0-2."""
    pids, tids, votes = two_camps()
    rows = [
        pf.Vote(
            timestamp=1_700_000_000_000 + 10 * i + j,
            statement=j,
            participant=int(pid[1:]) + (100 if pid.startswith("b") else 0),
            vote=int(votes[i, j]),
        )
        for i, pid in enumerate(pids)
        for j in range(len(tids))
    ]
    buffer = io.StringIO()
    pf.write_votes(buffer, rows)
    return buffer.getvalue()


def run(tmp_path, votes_text=None, comments_text=None, **options):
    votes = tmp_path / "votes.csv"
    votes.write_text(camps_votes_csv() if votes_text is None else votes_text, encoding="utf-8")
    args = {"votes": str(votes), "out": str(tmp_path / "map.json")}
    if comments_text is not None:
        (tmp_path / "comments.csv").write_text(comments_text, encoding="utf-8")
        args["comments"] = str(tmp_path / "comments.csv")
    out = io.StringIO()
    call_command("opinion_map", stdout=out, **args, **options)
    return json.loads((tmp_path / "map.json").read_text(encoding="utf-8")), out.getvalue()


def test_map_json_holds_participants_groups_consensus_and_parameters(tmp_path):
    doc, said = run(tmp_path, seed=3)
    assert {"participants", "groups", "consensus", "parameters"} <= set(doc)
    ids = sorted(p["id"] for p in doc["participants"])
    assert ids == [*range(8), *range(100, 108)]  # ids as in the input, integers
    assert {frozenset(p) for p in doc["participants"]} == {
        frozenset({"id", "group", "x", "y", "votes"})
    }
    assert [g["size"] for g in doc["groups"]] == [8, 8]
    assert doc["parameters"]["seed"] == 3
    assert "2 groups (8, 8)" in said


def test_statement_texts_come_from_comments_and_moderated_out_is_left_out(tmp_path):
    comments = COMMENTS + "1,x,0,,0,0,1,Split us\n1,x,1,,0,0,0,Split us too\n"
    comments += "1,x,2,,0,0,-1,Everyone agrees\n"
    doc, _ = run(tmp_path, comments_text=comments)
    reps = [s for g in doc["groups"] for s in g["representative"]]
    assert {s["text"] for s in reps} == {"Split us", "Split us too"}
    assert doc["consensus"]["agree"] == []  # statement 2 was moderated out
    assert {s["id"]: s["excluded"] for s in doc["statements"]} == {0: False, 1: False, 2: True}


def test_participant_not_clustered_has_null_group(tmp_path):
    text = camps_votes_csv() + "1800000000000,x,0,999,1\n"
    doc, _ = run(tmp_path, votes_text=text)
    lone = next(p for p in doc["participants"] if p["id"] == 999)
    assert lone["group"] is None and lone["x"] is not None


def test_same_seed_same_file(tmp_path):
    run(tmp_path, seed=5)
    first = (tmp_path / "map.json").read_text()
    run(tmp_path, seed=5)
    assert (tmp_path / "map.json").read_text() == first


def test_polis_conversation_from_either_file_gives_polis_groups(tmp_path):
    folder = polis_dir("scoop-hivemind.taxes")
    for name in ("votes.csv", "participants-votes.csv"):
        out = tmp_path / f"{name}.json"
        call_command(
            "opinion_map",
            votes=str(folder / name),
            comments=str(folder / "comments.csv"),
            out=str(out),
            stdout=io.StringIO(),
        )
        doc = json.loads(out.read_text())
        assert len(doc["groups"]) == 2
        assert doc["source"]["format"] == name.removesuffix(".csv")
        assert doc["summary"]["clustered"] >= 0.9 * 295


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timestamp,datetime,comment-id,vote\n1,x,0,1\n", "not a Polis export"),
        (
            "timestamp,datetime,comment-id,voter-id\n1,x,0,1\n",
            "missing column\\(s\\): vote",
        ),
        ("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,1,5\n", "line 2: vote must be"),
        ("timestamp,datetime,comment-id,voter-id,vote\n1,x,0\n", "line 2: 3 fields"),
        ("", "empty file"),
    ],
)
def test_bad_file_fails_and_writes_nothing(tmp_path, text, message):
    (tmp_path / "map.json").write_text("earlier", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(tmp_path, votes_text=text)
    assert (tmp_path / "map.json").read_text() == "earlier"
    assert {p.name for p in tmp_path.iterdir()} == {"votes.csv", "map.json"}


def test_bad_comments_file_fails_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="moderated must be"):
        run(tmp_path, comments_text=COMMENTS + "1,x,0,,0,0,7,text\n")
    assert not (tmp_path / "map.json").exists()


def test_output_directory_must_exist(tmp_path):
    (tmp_path / "votes.csv").write_text(camps_votes_csv(), encoding="utf-8")
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "opinion_map",
            votes=str(tmp_path / "votes.csv"),
            out=str(tmp_path / "nowhere" / "map.json"),
            stdout=io.StringIO(),
        )
