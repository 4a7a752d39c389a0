"""Diversity-maximising allocation of panelists to small groups (numpy only).

Each group should look like the whole panel: the same mix of regions, genders and age
bands. The cost is the squared deviation of each group's category counts from what its
size and the panel's overall shares would give, summed over groups, features and
categories. A greedy pass places people one by one where they lower the cost most; a
local search then swaps pairs of people between groups while a swap still helps. Group
sizes differ by at most one and never change during the search.
"""

from __future__ import annotations

import numpy as np


def encode(columns: list[list[str]]) -> np.ndarray:
    """Labels per feature (one list per feature) -> an (n_people, n_features) code array."""
    if not columns:
        raise ValueError("at least one feature is needed")
    codes = [
        np.unique(np.asarray(column, dtype=object), return_inverse=True)[1] for column in columns
    ]
    return np.stack(codes, axis=1).astype(np.int64)


def group_sizes(n_people: int, n_groups: int) -> np.ndarray:
    if n_groups < 1:
        raise ValueError("n_groups must be at least 1")
    sizes = np.full(n_groups, n_people // n_groups, dtype=np.int64)
    sizes[: n_people % n_groups] += 1
    return sizes


def _expected(codes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """expected[g, f, c] = size of group g × share of category c of feature f in the panel."""
    n_people, n_features = codes.shape
    n_categories = int(codes.max()) + 1 if codes.size else 1
    shares = np.zeros((n_features, n_categories))
    for feature in range(n_features):
        shares[feature] = np.bincount(codes[:, feature], minlength=n_categories) / max(n_people, 1)
    return sizes[:, None, None] * shares[None, :, :]


def _counts(codes: np.ndarray, groups: np.ndarray, n_groups: int, n_categories: int) -> np.ndarray:
    counts = np.zeros((n_groups, codes.shape[1], n_categories))
    for feature in range(codes.shape[1]):
        np.add.at(counts[:, feature, :], (groups, codes[:, feature]), 1)
    return counts


def deviation(codes: np.ndarray, groups: np.ndarray, n_groups: int) -> float:
    """The allocation's cost: squared deviation of group compositions from the panel's."""
    codes = np.asarray(codes, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    sizes = np.bincount(groups, minlength=n_groups)
    expected = _expected(codes, sizes)
    counts = _counts(codes, groups, n_groups, expected.shape[2])
    return float(((counts - expected) ** 2).sum())


def coverage(codes: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """coverage[g, f]: how many distinct categories of feature f group g holds."""
    codes = np.asarray(codes, dtype=np.int64)
    n_categories = int(codes.max()) + 1 if codes.size else 1
    counts = _counts(codes, np.asarray(groups, dtype=np.int64), n_groups, n_categories)
    return (counts > 0).sum(axis=2)


def allocate(
    codes: np.ndarray, n_groups: int, *, seed: int = 0, max_passes: int = 50
) -> np.ndarray:
    """A group index (0..n_groups-1) for each person, balancing every feature in every group."""
    codes = np.asarray(codes, dtype=np.int64)
    if codes.ndim != 2:
        raise ValueError("codes must be a 2-D array (people × features)")
    n_people, n_features = codes.shape
    sizes = group_sizes(n_people, n_groups)
    if n_people == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    expected = _expected(codes, sizes)
    # D[g, f, c] = count - expected; adding a person to g changes the cost by Σ_f 2·D + 1.
    diff = -expected.copy()
    features = np.arange(n_features)
    groups = np.empty(n_people, dtype=np.int64)
    room = sizes.copy()
    # Rare categories first, so they are spread before the groups fill up.
    rarity: np.ndarray = np.zeros(n_people)
    for feature in features:
        frequency = np.bincount(codes[:, feature]) / n_people
        rarity += frequency[codes[:, feature]]
    order = np.lexsort(np.array([rng.random(n_people), rarity]))
    for person in order:
        gain = (2 * diff[:, features, codes[person]] + 1).sum(axis=1)
        gain[room == 0] = np.inf
        best = int(np.argmin(gain + rng.random(n_groups) * 1e-9))
        groups[person] = best
        room[best] -= 1
        diff[best, features, codes[person]] += 1

    for _ in range(max_passes):
        improved = False
        for person in rng.permutation(n_people):
            a = groups[person]
            ci = codes[person]
            b = groups
            delta = np.zeros(n_people)
            for feature in features:
                cj = codes[:, feature]
                own = ci[feature]
                change = (
                    2
                    * (
                        diff[a, feature, cj]
                        - diff[a, feature, own]
                        + diff[b, feature, own]
                        - diff[b, feature, cj]
                    )
                    + 4
                )
                delta += np.where(cj != own, change, 0.0)
            delta[b == a] = np.inf
            other = int(np.argmin(delta))
            if delta[other] < -1e-9:
                g = groups[other]
                cj = codes[other]
                diff[a, features, ci] -= 1
                diff[a, features, cj] += 1
                diff[g, features, cj] -= 1
                diff[g, features, ci] += 1
                groups[person], groups[other] = g, a
                improved = True
        if not improved:
            break
    return groups
