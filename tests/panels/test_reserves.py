"""The reserve list: disjoint from the panel, fixed by the public number, and for any single
drop-out the next reserve keeps every quota whenever anyone in the pool could."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from panels.lottery import ReplacementError, draw, round_to_lottery
from panels.reserves import draw_reserves, next_reserve, replace_batch
from panels.selection import Problem, Quota, leximin
from tests.panels.helpers import medium_problem, random_people, small_random_problem


def counts(problem: Problem, ids) -> np.ndarray:
    type_of = problem.type_index()
    x = np.zeros(len(problem.members), dtype=int)
    for pid in ids:
        x[type_of[pid]] += 1
    return x


def keeps_quotas(problem: Problem, panel, dropped, replacement) -> bool:
    return problem.counts_meet_quotas(
        counts(problem, [p for p in panel if p != dropped] + [replacement])
    )


def drawn_panel(problem: Problem, number: int) -> list[str]:
    return draw(round_to_lottery(leximin(problem), m=50), number)


def tight_problem(seed: int) -> Problem:
    """Pools of 30-60 with quotas at or near the panel's counts, so many swaps break one."""
    rng = np.random.default_rng(seed)
    features = {
        "region": ["a", "b", "c"],
        "gender": ["f", "m"],
        "age": ["young", "old"],
    }
    people = random_people(int(rng.integers(30, 61)), features, seed, skew=3.0)
    k = int(rng.integers(6, 11))
    panel = rng.choice(len(people), size=k, replace=False)
    quotas = []
    for f, values in features.items():
        for v in values:
            have = sum(people[i][f] == v for i in panel)
            quotas.append(Quota(f, v, have - int(rng.integers(0, 2) and have > 0), have))
    return Problem.from_people(people, quotas, k)


CASES = [("small", s) for s in range(10)] + [("tight", s) for s in range(30)]


def case_problem(kind: str, seed: int) -> Problem:
    return small_random_problem(seed) if kind == "small" else tight_problem(seed)


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_any_single_drop_out_is_replaced_keeping_quotas_whenever_the_pool_could(kind, seed):
    problem = case_problem(kind, seed)
    number = 1000 + seed
    panel = drawn_panel(problem, number)
    reserves = draw_reserves(problem, panel, number, 0)
    covering = draw_reserves(problem, panel, number, reserves.covering)
    assert covering.uncovered == ()
    pool = [p for p in problem.person_features if p not in panel]
    for dropped in panel:
        possible = any(keeps_quotas(problem, panel, dropped, q) for q in pool)
        if possible:
            chosen = next_reserve(problem, panel, covering.order, dropped)
            assert chosen in covering.order
            assert keeps_quotas(problem, panel, dropped, chosen)
        else:
            with pytest.raises(ReplacementError):
                next_reserve(problem, panel, covering.order, dropped)


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_reserves_are_disjoint_from_the_panel_distinct_and_a_prefix_of_longer_lists(kind, seed):
    problem = case_problem(kind, seed)
    panel = drawn_panel(problem, seed)
    longest = draw_reserves(problem, panel, seed, problem.pool_size).order
    assert len(longest) == problem.pool_size - len(panel)
    assert len(set(longest)) == len(longest)
    assert not set(longest) & set(panel)
    for n in range(len(longest) + 1):
        assert draw_reserves(problem, panel, seed, n).order == longest[:n]


def test_the_public_number_reproduces_the_reserves_whatever_the_order_of_the_pool():
    problem = medium_problem()
    people = [
        {"id": p, **dict(zip(problem.features, f, strict=True))}
        for p, f in reversed(list(problem.person_features.items()))
    ]
    again = Problem.from_people(people, problem.quotas, problem.panel_size)
    panel = drawn_panel(problem, 77)
    assert draw_reserves(problem, panel, 77, 25) == draw_reserves(again, panel, 77, 25)
    orders = {draw_reserves(problem, panel, n, 25).order for n in range(5)}
    assert len(orders) == 5


def test_reserves_follow_the_panels_make_up_per_type():
    problem = medium_problem(n=600, k=40)
    panel = drawn_panel(problem, 5)
    reserves = draw_reserves(problem, panel, 5, 40)
    type_of = problem.type_index()
    seats = Counter(type_of[p] for p in panel)
    per_type = Counter(type_of[p] for p in reserves.order[reserves.covering :])
    # beyond the covering ones, reserves go to types on the panel, roughly by their seats
    assert set(per_type) <= set(seats)
    top = max(seats, key=lambda t: seats[t])
    assert per_type[top] >= max(per_type.values()) - 1


def test_a_drop_out_gets_the_first_reserve_of_their_own_type():
    problem = medium_problem()
    panel = drawn_panel(problem, 9)
    order = draw_reserves(problem, panel, 9, 60).order
    type_of = problem.type_index()
    for dropped in panel:
        same = [r for r in order if type_of[r] == type_of[dropped]]
        if same:
            assert next_reserve(problem, panel, order, dropped) == same[0]


def test_within_a_type_every_volunteer_is_equally_likely_to_be_its_first_reserve():
    people = [{"id": f"v{i:02d}", "g": "f" if i < 12 else "m"} for i in range(24)]
    problem = Problem.from_people(people, [Quota("g", "f", 2, 2), Quota("g", "m", 2, 2)], 4)
    panel = ["v00", "v01", "v12", "v13"]
    firsts = Counter()
    for number in range(2000):
        order = draw_reserves(problem, panel, number, 2).order
        firsts[next(r for r in order if r < "v12")] += 1
    assert set(firsts) == {f"v{i:02d}" for i in range(2, 12)}
    assert max(firsts.values()) < 2.0 * min(firsts.values())


def test_too_few_reserves_name_the_types_left_uncovered():
    people = [{"id": f"{g}{i}", "g": g} for g in "abc" for i in range(4)]
    quotas = [Quota("g", g, 1, 1) for g in "abc"]
    problem = Problem.from_people(people, quotas, 3)
    panel = ["a0", "b0", "c0"]
    full = draw_reserves(problem, panel, 1, 3)
    assert full.covering == 3 and full.uncovered == ()
    short = draw_reserves(problem, panel, 1, 1)
    assert len(short.uncovered) == 2


def test_a_batch_replaces_drop_outs_in_turn_and_never_reuses_a_reserve():
    problem = medium_problem()
    panel = drawn_panel(problem, 4)
    order = draw_reserves(problem, panel, 4, 30).order
    dropped = panel[:5]
    batch = replace_batch(problem, panel, order, dropped)
    chosen = [r for _, r in batch]
    assert [d for d, _ in batch] == dropped
    assert None not in chosen and len(set(chosen)) == 5 and set(chosen) <= set(order)
    final = [p for p in panel if p not in dropped] + chosen
    assert problem.counts_meet_quotas(counts(problem, final))
    # a second batch passes over the reserves already seated and the drop-outs
    later = replace_batch(problem, final, order, [final[0]], unavailable=dropped + chosen)
    assert later[0][1] not in chosen


def test_a_batch_leaves_a_seat_waiting_when_no_reserve_fits():
    people = [{"id": f"{g}{i}", "g": g} for g in "ab" for i in range(3)]
    problem = Problem.from_people(people, [Quota("g", "a", 1, 1), Quota("g", "b", 1, 1)], 2)
    batch = replace_batch(problem, ["a0", "b0"], ["b1", "a1"], ["a0", "b0"], unavailable=["a1"])
    assert batch == [("a0", None), ("b0", "b1")]
