"""Small deterministic selection instances shared by the selection tests."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

from panels.selection import Problem, Quota

FEATURES = {
    "region": ["north", "south", "east"],
    "gender": ["female", "male"],
    "age": ["young", "middle", "old"],
}


def shared_cases_dir() -> Path | None:
    """The shared cases folder: $GONGNON_SHARED/cases, else ../shared/cases beside the repo."""
    env = os.environ.get("GONGNON_SHARED")
    candidates = [Path(env) / "cases"] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared" / "cases")
    for c in candidates:
        if c.is_dir():
            return c
    return None


def random_people(n: int, features: dict[str, list[str]], seed: int, skew: float = 1.0):
    rng = np.random.default_rng(seed)
    people = []
    for i in range(n):
        person = {"id": f"v{i:04d}"}
        for f, values in features.items():
            p = np.linspace(1.0, skew, len(values))
            person[f] = values[rng.choice(len(values), p=p / p.sum())]
        people.append(person)
    return people


def medium_problem(seed: int = 1, n: int = 300, k: int = 30) -> Problem:
    """A skewed pool with quotas near equal shares: feasible, with unequal probabilities."""
    people = random_people(n, FEATURES, seed, skew=4.0)
    quotas = []
    for f, values in FEATURES.items():
        share = k / len(values)
        for v in values:
            quotas.append(Quota(f, v, int(share * 0.8), int(share * 1.2) + 1))
    return Problem.from_people(people, quotas, k)


def small_random_problem(seed: int) -> Problem:
    """8-12 people, panel of 3-4, 2-3 features, quotas built around a random feasible panel."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 13))
    k = int(rng.integers(3, 5))
    nf = int(rng.integers(2, 4))
    features = {f"f{j}": [f"v{j}{i}" for i in range(int(rng.integers(2, 4)))] for j in range(nf)}
    people = random_people(n, features, seed)
    panel = rng.choice(n, size=k, replace=False)
    quotas = []
    for f, values in features.items():
        for v in values:
            have = sum(people[i][f] == v for i in panel)
            quotas.append(Quota(f, v, max(0, have - int(rng.integers(0, 2))), have + 1))
    return Problem.from_people(people, quotas, k)


def brute_force_leximin(problem: Problem) -> np.ndarray:
    """Sorted per-person LEXIMIN probabilities from all feasible panels, level by level; each
    level fixes exactly the people whose probability cannot rise above the level's optimum."""
    people = sorted(problem.person_features)
    feats = problem.features
    panels = []
    for combo in itertools.combinations(range(len(people)), problem.panel_size):
        ok = True
        for q in problem.quotas:
            fi = feats.index(q.feature)
            c = sum(problem.person_features[people[i]][fi] == q.value for i in combo)
            ok &= q.min <= c <= q.max
        if ok:
            row = np.zeros(len(people))
            row[list(combo)] = 1
            panels.append(row)
    a = np.array(panels).T  # (n, P)
    n, npan = a.shape
    fixed: dict[int, float] = {}

    def solve(objective_row: int | None, z_level: float | None):
        # variables: lambda (P), z
        c = np.zeros(npan + 1)
        if objective_row is None:
            c[-1] = -1
        else:
            c[:npan] = -a[objective_row]
        a_ub, b_ub = [], []
        for i in range(n):
            row = np.r_[-a[i], 0.0]
            if i in fixed:
                a_ub.append(row)
                b_ub.append(-fixed[i] + 1e-9)
            elif z_level is None:
                row[-1] = 1.0
                a_ub.append(row)
                b_ub.append(0.0)
            else:
                a_ub.append(row)
                b_ub.append(-z_level + 1e-9)
        res = linprog(
            c,
            A_ub=np.array(a_ub),
            b_ub=b_ub,
            A_eq=np.r_[np.ones(npan), 0.0][None, :],
            b_eq=[1],
            bounds=[(0, None)] * npan + [(None, None)],
            method="highs",
        )
        assert res.status == 0
        return -res.fun

    while len(fixed) < n:
        z = solve(None, None)
        forced = [i for i in range(n) if i not in fixed and solve(i, z) <= z + 1e-7]
        assert forced
        for i in forced:
            fixed[i] = z
    return np.sort(np.array(list(fixed.values())))


POPULATION = {
    "region": {"r1": 0.05, "r2": 0.32, "r3": 0.12, "r4": 0.31, "r5": 0.20},
    "gender": {"male": 0.49, "female": 0.51},
    "age": {"18-29": 0.19, "30-39": 0.17, "40-49": 0.18, "50-59": 0.18, "60+": 0.28},
    "tenure": {"owner": 0.43, "renter": 0.45, "other": 0.12},
    "education": {"primary": 0.10, "secondary": 0.38, "college": 0.42, "graduate": 0.10},
    "opinion": {"support": 0.35, "oppose": 0.30, "undecided": 0.35},
}


def bench_like_problem(n: int, k: int, features: list[str], seed: int = 3) -> Problem:
    """A pool like bench/selection.py's: old people volunteer more; quotas share +/- 5%."""
    from panels.selection import quotas_from_shares

    rng = np.random.default_rng(seed)
    people = [{"id": f"p{i:05d}"} for i in range(n)]
    for f in features:
        values = list(POPULATION[f])
        p = np.array(list(POPULATION[f].values()))
        if f == "age":
            p = p * np.array([0.6, 0.8, 1.0, 1.2, 1.4])
        for person, v in zip(people, rng.choice(len(p), size=n, p=p / p.sum()), strict=True):
            person[f] = values[v]
    quotas = quotas_from_shares({f: POPULATION[f] for f in features}, k, tolerance=0.05)
    return Problem.from_people(people, quotas, k)
