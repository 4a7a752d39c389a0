"""Polis's export files: votes.csv, comments.csv and participants-votes.csv, read and written.

Reading lets the opinion map run on any Polis conversation (and on The Computational Democracy
Project's open data); writing lets a Polis user load a Gongnon conversation. Plain stdlib csv,
no Django. Votes are 1 agree, -1 disagree, 0 pass, as in Polis's exports; a comment moderated
-1 is moderated out, as Polis's math treats it (0 unmoderated and 1 accepted both count).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

Id = int | str

VOTES_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
COMMENTS_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
PARTICIPANTS_FIXED = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
VOTE_VALUES = {"1": 1, "-1": -1, "0": 0}
MODERATED_OUT = -1
_INTEGER = re.compile(r"^(0|-?[1-9][0-9]*)$")

Kind = Literal["votes", "participants-votes", "comments"]


class PolisFormatError(ValueError):
    """A file that is not a well-formed Polis export; says which file and line."""

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


@dataclass(frozen=True)
class Vote:
    timestamp: int  # milliseconds since the epoch, as Polis exports them
    statement: Id
    participant: Id
    vote: int


@dataclass(frozen=True)
class Comment:
    id: Id
    text: str
    moderated: int
    author: Id | None = None
    timestamp: int | None = None
    agrees: int = 0
    disagrees: int = 0


@dataclass(frozen=True)
class ParticipantsVotes:
    """The wide file: each participant's vote per statement (None not seen) and Polis's group."""

    participants: tuple[Id, ...]
    statements: tuple[Id, ...]
    votes: tuple[tuple[int | None, ...], ...]
    groups: Mapping[Id, int | None]


def parse_id(text: str) -> Id:
    """Polis ids are integers; anything else is kept as it is written."""
    text = text.strip()
    return int(text) if _INTEGER.match(text) else text


def _open(path: str | Path) -> IO[str]:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise PolisFormatError(path, f"cannot read: {exc.strerror or exc}") from None


def _header(path: str | Path, reader: Iterable[list[str]]) -> list[str]:
    try:
        header = next(iter(reader))
    except StopIteration:
        raise PolisFormatError(path, "empty file, no header") from None
    except csv.Error as exc:
        raise PolisFormatError(path, f"not CSV: {exc}", line=1) from None
    return [h.strip() for h in header]


def detect(path: str | Path) -> Kind:
    """Which export a file is, by its header."""
    with _open(path) as handle:
        header = _header(path, csv.reader(handle))
    if "voter-id" in header and "comment-id" in header:
        return "votes"
    if header[:1] == ["participant"]:
        return "participants-votes"
    if "comment-body" in header:
        return "comments"
    raise PolisFormatError(
        path,
        "not a Polis export: expected a votes.csv header (timestamp,datetime,comment-id,"
        "voter-id,vote) or a participants-votes.csv header (participant,group-id,...)",
        line=1,
    )


def _rows(path: str | Path, required: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """(line, row) pairs, after checking the header has every required column."""
    with _open(path) as handle:
        reader = csv.reader(handle)
        header = _header(path, reader)
        missing = [c for c in required if c not in header]
        if missing:
            raise PolisFormatError(path, f"missing column(s): {', '.join(missing)}", line=1)
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise PolisFormatError(
                        path,
                        f"{len(row)} fields where the header has {len(header)}",
                        line=reader.line_num,
                    )
                yield reader.line_num, dict(zip(header, row, strict=True))
        except csv.Error as exc:
            raise PolisFormatError(path, f"not CSV: {exc}", line=reader.line_num) from None


def _int(path: str | Path, line: int, column: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise PolisFormatError(
            path, f"{column} must be a whole number, not {text!r}", line=line
        ) from None


def _vote(path: str | Path, line: int, text: str) -> int:
    value = VOTE_VALUES.get(text.strip())
    if value is None:
        raise PolisFormatError(
            path, f"vote must be 1 (agree), -1 (disagree) or 0 (pass), not {text!r}", line=line
        )
    return value


def read_votes(path: str | Path) -> list[Vote]:
    """Every row of a votes.csv, in file order (see ``latest_votes`` for one vote per pair)."""
    votes = []
    for line, row in _rows(path, ("timestamp", "comment-id", "voter-id", "vote")):
        for column in ("comment-id", "voter-id"):
            if not row[column].strip():
                raise PolisFormatError(path, f"{column} is empty", line=line)
        votes.append(
            Vote(
                timestamp=_int(path, line, "timestamp", row["timestamp"]),
                statement=parse_id(row["comment-id"]),
                participant=parse_id(row["voter-id"]),
                vote=_vote(path, line, row["vote"]),
            )
        )
    return votes


def latest_votes(votes: Iterable[Vote]) -> list[Vote]:
    """One vote per participant and statement, the latest (Polis keeps a changed vote's last
    value), in time order; equal times keep file order."""
    ordered = sorted(votes, key=lambda v: v.timestamp)
    last: dict[tuple[Id, Id], Vote] = {}
    for v in ordered:
        last.pop((v.participant, v.statement), None)
        last[(v.participant, v.statement)] = v
    return list(last.values())


def read_participants_votes(path: str | Path) -> ParticipantsVotes:
    """A participants-votes.csv: one row per participant, one column per statement."""
    with _open(path) as handle:
        header = _header(path, csv.reader(handle))
    missing = [c for c in PARTICIPANTS_FIXED if c not in header]
    if missing:
        raise PolisFormatError(path, f"missing column(s): {', '.join(missing)}", line=1)
    statement_columns = [h for h in header if h not in PARTICIPANTS_FIXED]
    statements = tuple(parse_id(h) for h in statement_columns)
    participants: list[Id] = []
    votes: list[tuple[int | None, ...]] = []
    groups: dict[Id, int | None] = {}
    for line, row in _rows(path, PARTICIPANTS_FIXED):
        pid = parse_id(row["participant"])
        if pid == "":
            raise PolisFormatError(path, "participant is empty", line=line)
        if pid in groups:
            raise PolisFormatError(path, f"participant {pid} appears twice", line=line)
        group = row["group-id"].strip()
        groups[pid] = _int(path, line, "group-id", group) if group else None
        participants.append(pid)
        votes.append(
            tuple(_vote(path, line, row[c]) if row[c].strip() else None for c in statement_columns)
        )
    return ParticipantsVotes(
        participants=tuple(participants), statements=statements, votes=tuple(votes), groups=groups
    )


def read_comments(path: str | Path) -> list[Comment]:
    """A comments.csv: each statement's text and moderation (-1 out, 0 unmoderated, 1 in)."""
    comments = []
    for line, row in _rows(path, ("comment-id", "moderated", "comment-body")):
        if not row["comment-id"].strip():
            raise PolisFormatError(path, "comment-id is empty", line=line)
        moderated = _int(path, line, "moderated", row["moderated"])
        if moderated not in (-1, 0, 1):
            raise PolisFormatError(
                path, f"moderated must be -1, 0 or 1, not {moderated}", line=line
            )
        author = row.get("author-id", "").strip()
        stamp = row.get("timestamp", "").strip()
        comments.append(
            Comment(
                id=parse_id(row["comment-id"]),
                text=row["comment-body"],
                moderated=moderated,
                author=parse_id(author) if author else None,
                timestamp=_int(path, line, "timestamp", stamp) if stamp else None,
                agrees=_int(path, line, "agrees", row.get("agrees", "0") or "0"),
                disagrees=_int(path, line, "disagrees", row.get("disagrees", "0") or "0"),
            )
        )
    return comments


def moderated_out(comments: Iterable[Comment]) -> set[Id]:
    """The statements Polis's math leaves out: moderated -1."""
    return {c.id for c in comments if c.moderated == MODERATED_OUT}


def polis_datetime(timestamp_ms: int) -> str:
    """The datetime column as Polis writes it (Java's Date.toString), in UTC."""
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    return moment.strftime("%a %b %d %H:%M:%S UTC %Y")


def write_votes(handle: IO[str], votes: Iterable[Vote]) -> None:
    """votes.csv: one row per vote cast (a changed vote is a second row, later)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(VOTES_HEADER)
    for v in votes:
        writer.writerow(
            [v.timestamp, polis_datetime(v.timestamp), v.statement, v.participant, v.vote]
        )


def write_comments(handle: IO[str], comments: Iterable[Comment]) -> None:
    """comments.csv: statements with their authors, counts and moderation."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COMMENTS_HEADER)
    for c in comments:
        stamp = c.timestamp if c.timestamp is not None else 0
        writer.writerow(
            [
                stamp,
                polis_datetime(stamp),
                c.id,
                "" if c.author is None else c.author,
                c.agrees,
                c.disagrees,
                c.moderated,
                c.text,
            ]
        )


def write_participants_votes(
    handle: IO[str],
    votes: Iterable[Vote],
    *,
    statements: Sequence[Id] | None = None,
    groups: Mapping[Id, int | None] | None = None,
    comments: Iterable[Comment] = (),
) -> None:
    """participants-votes.csv: each participant's latest vote per statement, their group (empty
    when not clustered) and counts; participants in order of first vote."""
    latest = latest_votes(votes)
    order: dict[Id, dict[Id, int]] = {}
    for v in sorted(latest, key=lambda v: v.timestamp):
        order.setdefault(v.participant, {})[v.statement] = v.vote
    if statements is None:
        statements = sorted({v.statement for v in latest}, key=lambda s: (str(type(s)), s))
    authored: dict[Id, int] = {}
    for c in comments:
        if c.author is not None:
            authored[c.author] = authored.get(c.author, 0) + 1
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([*PARTICIPANTS_FIXED, *statements])
    for pid, cast in order.items():
        group = (groups or {}).get(pid)
        values = list(cast.values())
        writer.writerow(
            [
                pid,
                "" if group is None else group,
                authored.get(pid, 0),
                len(values),
                values.count(1),
                values.count(-1),
                *("" if s not in cast else cast[s] for s in statements),
            ]
        )
