"""Where the Polis open data (CC BY 4.0, The Computational Democracy Project) lives, and a
small hand-made vote matrix shared by the opinion-map tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

CONVERSATIONS = (
    "scoop-hivemind.taxes",
    "scoop-hivemind.biodiversity",
    "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
)


def polis_dir(name: str) -> Path:
    """One conversation's folder: $GONGNON_SHARED/cases/polis-opendata, else ../shared beside
    the repository."""
    env = os.environ.get("GONGNON_SHARED")
    roots = [Path(env) / "cases"] if env else []
    roots.append(Path(__file__).resolve().parents[3] / ".." / "shared" / "cases")
    for root in roots:
        folder = root / "polis-opendata" / name
        if folder.is_dir():
            return folder
    pytest.skip("Polis open data not found (set GONGNON_SHARED)")


def polis_groups_count(folder: Path) -> int:
    """The number of groups Polis found (summary.csv)."""
    for line in (folder / "summary.csv").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(",")
        if key == "groups":
            return int(value)
    raise AssertionError("no groups line in summary.csv")


def two_camps(per_camp: int = 8) -> tuple[list[str], list[str], np.ndarray]:
    """Camp A agrees with s0 and disagrees with s1, camp B the reverse; everyone agrees with
    s2. Every figure of the map can be worked out by hand."""
    pids = [f"a{i}" for i in range(per_camp)] + [f"b{i}" for i in range(per_camp)]
    a = [1, -1, 1]
    b = [-1, 1, 1]
    votes = np.array([a] * per_camp + [b] * per_camp, dtype=float)
    return pids, ["s0", "s1", "s2"], votes
