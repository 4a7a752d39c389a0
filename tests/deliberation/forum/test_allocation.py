"""The diversity-maximising group allocation (a plain numpy module)."""

from __future__ import annotations

import numpy as np
import pytest

from deliberation.forum.allocation import allocate, coverage, deviation, encode, group_sizes


def seoul_like_panel(n: int = 300, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    regions = rng.choice(
        ["도심권", "동북권", "서북권", "서남권", "동남권"], n, p=[0.05, 0.315, 0.12, 0.317, 0.198]
    )
    genders = rng.choice(["남성", "여성"], n)
    ages = rng.choice(["18-29", "30-39", "40-49", "50-59", "60+"], n)
    return encode([list(regions), list(genders), list(ages)])


def test_group_sizes_differ_by_at_most_one():
    groups = allocate(seoul_like_panel(305), 30)
    sizes = np.bincount(groups, minlength=30)
    assert sizes.max() - sizes.min() <= 1 and sizes.sum() == 305


def test_allocation_deviates_far_less_than_round_robin_from_the_panel_mix():
    codes = seoul_like_panel()
    allocated = deviation(codes, allocate(codes, 30), 30)
    round_robin = deviation(codes, np.arange(len(codes)) % 30, 30)
    assert allocated < round_robin / 3


def test_every_group_mixes_both_genders_and_several_regions_and_ages():
    codes = seoul_like_panel()
    cover = coverage(codes, allocate(codes, 30), 30)
    assert (cover[:, 1] == 2).all()
    assert (cover[:, 0] >= 3).all() and (cover[:, 2] >= 4).all()


def test_sorted_input_is_spread_across_groups():
    codes = encode([["a"] * 50 + ["b"] * 50])
    groups = allocate(codes, 10)
    per_group = np.array([np.bincount(codes[groups == g, 0], minlength=2) for g in range(10)])
    assert (per_group == 5).all()


def test_allocation_is_reproducible_with_a_seed():
    codes = seoul_like_panel(120)
    assert (allocate(codes, 12, seed=7) == allocate(codes, 12, seed=7)).all()


def test_more_groups_than_people_leaves_groups_empty_but_places_everyone():
    groups = allocate(encode([["a", "b", "a"]]), 5)
    assert sorted(np.bincount(groups, minlength=5)) == [0, 0, 1, 1, 1]


def test_zero_groups_is_refused():
    with pytest.raises(ValueError):
        group_sizes(10, 0)
