"""Map a Polis conversation from its export files: opinion groups, representative and consensus
statements, as JSON (docs/opinion-map.md)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from deliberation.forum.opinion_map import (
    OpinionMap,
    OpinionMapError,
    compute_opinion_map,
    replay_opinion_map,
)
from deliberation.forum.polis_format import (
    Comment,
    PolisFormatError,
    detect,
    latest_votes,
    moderated_out,
    read_comments,
    read_participants_votes,
    read_votes,
)


class Command(BaseCommand):
    help = (
        "Polis's opinion map of a conversation from votes.csv or participants-votes.csv "
        "(detected by the header), with comments.csv for texts and moderation. Writes JSON "
        "(docs/opinion-map.md); on any input error nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--votes", required=True, help="votes.csv or participants-votes.csv")
        parser.add_argument("--comments", help="comments.csv: texts; moderated -1 is left out")
        parser.add_argument("--out", required=True, help="JSON file to write")
        parser.add_argument("--seed", type=int, default=0, help="seed of the clustering (0)")
        parser.add_argument(
            "--updates",
            type=int,
            default=10,
            help="votes.csv only: maps over the votes in time order, as Polis updates (10)",
        )

    def handle(self, *args, votes, comments, out, seed, updates, **options) -> None:
        if updates < 1:
            raise CommandError("--updates must be at least 1")
        try:
            texts: list[Comment] = read_comments(comments) if comments else []
            if comments and detect(comments) != "comments":
                raise CommandError(f"{comments}: not a comments.csv")
            excluded = moderated_out(texts)
            kind = detect(votes)
            if kind == "votes":
                cast = latest_votes(read_votes(votes))
                result = replay_opinion_map(
                    [(v.timestamp, v.participant, v.statement, v.vote) for v in cast],
                    updates=updates,
                    excluded_statements=excluded,
                    seed=seed,
                )
                n_votes = len(cast)
            elif kind == "participants-votes":
                wide = read_participants_votes(votes)
                matrix = np.array(
                    [[np.nan if v is None else v for v in row] for row in wide.votes],
                    dtype=np.float64,
                ).reshape(len(wide.participants), len(wide.statements))
                result = compute_opinion_map(
                    wide.participants,
                    wide.statements,
                    matrix,
                    excluded_statements=excluded,
                    seed=seed,
                )
                n_votes = int((~np.isnan(matrix)).sum())
                updates = 1
            else:
                raise CommandError(f"{votes}: a comments.csv; --votes needs the votes")
        except (PolisFormatError, OpinionMapError) as exc:
            raise CommandError(str(exc)) from None
        document = map_document(result, texts, source=Path(votes).name, kind=kind, updates=updates)
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomically(Path(out), text)
        self.stdout.write(
            f"{len(result.participants)} participants, {n_votes} votes, "
            f"{len(result.statements)} statements: {len(result.groups)} groups "
            f"({', '.join(str(g.size) for g in result.groups)}); wrote {out}"
        )


def map_document(
    result: OpinionMap, comments: list[Comment], *, source: str, kind: str, updates: int
) -> dict[str, Any]:
    """The map with each statement's text (when comments.csv was given) and where it came from."""
    document = result.to_dict()
    by_id = {c.id: c for c in comments}

    def text(sid: Any) -> str | None:
        c = by_id.get(sid)
        return c.text if c else None

    for group in document["groups"]:
        for s in group["representative"]:
            s["text"] = text(s["statement"])
    for side in ("agree", "disagree", "group_aware"):
        for s in document["consensus"][side]:
            s["text"] = text(s["statement"])
    excluded = set(result.excluded_statements)
    document["statements"] = [
        {"id": sid, "text": text(sid), "excluded": sid in excluded} for sid in result.statements
    ]
    document["source"] = {"file": source, "format": kind, "updates": updates}
    return document


def write_atomically(target: Path, text: str) -> None:
    """Write beside the target and rename, so a failure leaves no partial file."""
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(f"cannot write {target}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"cannot write {target}: {exc}") from None
