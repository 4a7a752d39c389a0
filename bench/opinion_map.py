"""Benchmark: the opinion map (Polis's method) on synthetic conversations and Polis's own data.

- Bowling Green's size: 2,000 participants, 600 statements, 225,000 votes; target < 2 s.
- The live map of a plenary: 300 panelists x 60 statements; target < 1 s per refresh.

Each is timed (median of a few runs) beside numpy's SVD of the same mean-filled matrix,
measured in the same run, and printed as met / not met. Then the adjusted Rand index against
Polis's groups on the three reference conversations (Polis open data, CC BY 4.0, The
Computational Democracy Project), as the opinion_map command maps them. The synthetic
conversations are made up here. Run by hand from the repository root:

    python bench/opinion_map.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberation.forum import polis_format  # noqa: E402
from deliberation.forum.opinion_map import (  # noqa: E402
    adjusted_rand_index,
    compute_opinion_map,
    replay_opinion_map,
)

SEED = 2016
CONVERSATIONS = (
    "scoop-hivemind.taxes",
    "scoop-hivemind.biodiversity",
    "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
)


def synthetic(participants: int, statements: int, votes: int, seed: int) -> np.ndarray:
    """A made-up conversation: three opinion camps, a few very active voters and many casual
    ones (activity drawn from a heavy-tailed law), votes agree/disagree/pass."""
    rng = np.random.default_rng(seed)
    camp = rng.choice(3, size=participants, p=[0.5, 0.3, 0.2])
    leaning = rng.normal(0, 1.2, size=(3, statements))
    activity = rng.pareto(1.2, size=participants) + 1
    share = np.minimum(activity / activity.sum() * votes, statements)
    for _ in range(20):  # spread what the cap cut off over those below it
        short = votes - share.sum()
        if short < 1:
            break
        room = share < statements
        share[room] = np.minimum(share[room] * (1 + short / share[room].sum()), statements)
    counts = np.floor(share).astype(int)
    room = np.flatnonzero(counts < statements)
    counts[room[: votes - counts.sum()]] += 1
    mat = np.full((participants, statements), np.nan)
    for i in range(participants):
        cols = rng.choice(statements, size=min(counts[i], statements), replace=False)
        p_agree = 1 / (1 + np.exp(-leaning[camp[i], cols]))
        draw = rng.random(len(cols))
        mat[i, cols] = np.where(draw < 0.12, 0.0, np.where(draw < 0.12 + 0.88 * p_agree, 1, -1))
    return mat


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def svd_reference(mat: np.ndarray) -> None:
    """numpy's SVD of the mean-filled, centred matrix: the PCA most implementations run."""
    means = np.nanmean(mat, axis=0)
    filled = np.where(np.isnan(mat), means, mat)
    np.linalg.svd(filled - filled.mean(axis=0), full_matrices=False)


def case(name: str, mat: np.ndarray, target: float, repeat: int) -> None:
    p, s = mat.shape
    ids, sids = list(range(p)), list(range(s))
    ours = median_time(lambda: compute_opinion_map(ids, sids, mat, seed=SEED), repeat)
    ref = median_time(lambda: svd_reference(mat), repeat)
    result = compute_opinion_map(ids, sids, mat, seed=SEED)
    verdict = "met" if ours < target else "NOT MET"
    print(
        f"{name}: {p} x {s}, {int((~np.isnan(mat)).sum()):,} votes, "
        f"{len(result.groups)} groups: map {ours:.3f} s (target < {target:.0f} s: {verdict}); "
        f"numpy SVD {ref:.3f} s; ratio map/SVD {ours / ref:.2f}"
    )


def shared_polis() -> Path | None:
    env = os.environ.get("GONGNON_SHARED")
    roots = [Path(env) / "cases"] if env else []
    roots.append(Path(__file__).resolve().parents[1] / ".." / "shared" / "cases")
    for root in roots:
        if (root / "polis-opendata").is_dir():
            return root / "polis-opendata"
    return None


def polis_agreement(folder: Path) -> None:
    votes = polis_format.latest_votes(polis_format.read_votes(folder / "votes.csv"))
    excluded = polis_format.moderated_out(polis_format.read_comments(folder / "comments.csv"))
    polis = polis_format.read_participants_votes(folder / "participants-votes.csv").groups
    summary = (folder / "summary.csv").read_text(encoding="utf-8").splitlines()
    polis_k = next(int(line.split(",")[1]) for line in summary if line.startswith("groups,"))
    start = time.perf_counter()
    result = replay_opinion_map(
        [(v.timestamp, v.participant, v.statement, v.vote) for v in votes],
        excluded_statements=excluded,
    )
    elapsed = time.perf_counter() - start
    ours = result.group_of()
    clustered = [pid for pid, g in polis.items() if g is not None]
    both = [pid for pid in clustered if ours.get(pid) is not None]
    ari = adjusted_rand_index([ours[p] for p in both], [polis[p] for p in both])
    print(
        f"{folder.name}: groups {len(result.groups)} (Polis {polis_k}), "
        f"ARI {ari:.3f}, coverage {len(both) / len(clustered):.1%} of Polis's {len(clustered)} "
        f"clustered ({elapsed:.2f} s for 10 updates)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    case("Bowling Green size", synthetic(2000, 600, 225_000, SEED), 2.0, args.repeat)
    case("live map, plenary", synthetic(300, 60, 300 * 60 * 7 // 10, SEED + 1), 1.0, args.repeat)
    folder = shared_polis()
    if folder is None:
        print("Polis open data not found (set GONGNON_SHARED): no ARI")
        return
    for name in CONVERSATIONS:
        polis_agreement(folder / name)


if __name__ == "__main__":
    main()
