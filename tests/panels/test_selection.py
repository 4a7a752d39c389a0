"""Tests for the selection core: parsing, feasibility diagnosis and LEXIMIN probabilities."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from panels.selection import (
    InfeasibleQuotasError,
    Problem,
    Quota,
    SelectionInputError,
    _column_generation,
    _Pricer,
    _Swaps,
    check_feasibility,
    inputs_digest,
    leximin,
    parse_categories,
    parse_people,
    quotas_from_shares,
    weighted_gini,
)
from tests.panels.helpers import (
    bench_like_problem,
    brute_force_leximin,
    medium_problem,
    shared_cases_dir,
    small_random_problem,
)


@pytest.fixture(scope="module")
def medium():
    problem = medium_problem()
    return problem, leximin(problem)


def test_every_panel_in_distribution_meets_quotas_and_size(medium):
    problem, result = medium
    assert len(result.panels) > 1
    for x in result.panels:
        assert problem.counts_meet_quotas(x)


def test_distribution_weights_are_a_probability_distribution(medium):
    _, result = medium
    assert np.all(result.weights > 0)
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_person_probabilities_sum_to_panel_size(medium):
    problem, result = medium
    assert sum(result.person_probabilities.values()) == pytest.approx(problem.panel_size, 1e-9)


def test_type_probabilities_equal_expected_counts_over_type_size(medium):
    problem, result = medium
    expected = (result.weights @ result.panels) / problem.type_sizes
    np.testing.assert_allclose(result.type_probabilities, expected, atol=1e-12)


def test_skewed_pool_gives_unequal_probabilities_around_equal_share(medium):
    _, result = medium
    assert result.min_probability < result.equal_share < result.max_probability
    assert result.spread == pytest.approx(result.max_probability - result.min_probability)
    assert 0 < result.gini < 1


@pytest.mark.parametrize("seed", range(12))
def test_leximin_matches_brute_force_on_small_pools(seed):
    problem = small_random_problem(seed)
    result = leximin(problem)
    ours = np.sort(np.array(list(result.person_probabilities.values())))
    np.testing.assert_allclose(ours, brute_force_leximin(problem), atol=1e-6)


def test_leximin_beats_a_valid_but_unfair_panel_mix():
    # Two features, a rare type (1 person) that the quotas need only sometimes.
    people = [{"id": "r", "g": "a", "h": "x"}] + [
        {"id": f"p{i}", "g": "b" if i % 2 else "a", "h": "y"} for i in range(9)
    ]
    quotas = [Quota("g", "a", 1, 3), Quota("g", "b", 1, 3), Quota("h", "x", 0, 1)]
    quotas.append(Quota("h", "y", 2, 4))
    result = leximin(Problem.from_people(people, quotas, 4))
    assert result.min_probability == pytest.approx(4 / 10, abs=1e-9)


def test_published_flanigan_case_gives_minimum_one_tenth_in_seconds():
    cases = shared_cases_dir()
    if cases is None or not (cases / "flanigan2021-example_large_200").is_dir():
        pytest.skip("shared cases folder not found (set GONGNON_SHARED)")
    folder = cases / "flanigan2021-example_large_200"
    quotas = parse_categories((folder / "categories.csv").read_text())
    people = parse_people((folder / "respondents.csv").read_text(), quotas, id_column=None)
    problem = Problem.from_people(people, quotas, 200)
    assert problem.pool_size == 2000
    result = leximin(problem)
    assert result.min_probability == pytest.approx(0.10, abs=1e-6)
    assert result.gini == pytest.approx(0.0, abs=1e-6)
    assert result.stats.seconds < 10


def test_large_pool_is_solved_by_decomposing_the_relaxation_without_pricing():
    problem = bench_like_problem(2000, 300, ["region", "gender", "age"])
    result = leximin(problem)
    assert result.stats.pricing_solves == 0
    reference = _column_generation(
        problem, np.random.default_rng(0), [], 12, lambda: None, 0.0, 0, 0
    )
    np.testing.assert_allclose(
        np.sort(result.type_probabilities), np.sort(reference.type_probabilities), atol=1e-7
    )
    for x in result.panels:
        assert problem.counts_meet_quotas(x)


def test_swaps_are_valid_improving_panels_one_swap_from_the_priced_one():
    problem = medium_problem(seed=3)
    x = _Pricer(problem).best(np.ones(len(problem.profiles)))[0]
    w = np.random.default_rng(1).random(len(problem.profiles))
    threshold = float(w @ x) - 0.05
    neighbours = _Swaps(problem, 10).improving(x, w, threshold)
    assert 0 < len(neighbours) <= 10
    values = [float(w @ y) for y in neighbours]
    assert values == sorted(values, reverse=True)
    for y in neighbours:
        assert problem.counts_meet_quotas(y)
        assert w @ y > threshold
        assert np.abs(y - x).sum() == 2
    assert _Swaps(problem, 0).improving(x, w, threshold) == []


def test_column_generation_with_swap_columns_reaches_the_same_leximin_in_fewer_milps():
    problem = medium_problem(seed=2, n=120, k=12)
    one = _column_generation(
        problem,
        np.random.default_rng(0),
        [],
        4,
        lambda: None,
        0.0,
        0,
        0,
        extra_columns=0,
        extra_milps=0,
    )
    many = _column_generation(
        problem, np.random.default_rng(0), [], 4, lambda: None, 0.0, 0, 0, extra_milps=0
    )
    np.testing.assert_allclose(
        np.sort(many.type_probabilities), np.sort(one.type_probabilities), atol=1e-7
    )
    assert many.stats.pricing_solves < one.stats.pricing_solves
    for x in many.panels:
        assert problem.counts_meet_quotas(x)


def test_perturbed_pricing_milps_add_several_panels_per_round_for_the_same_leximin():
    problem = medium_problem(seed=2, n=120, k=12)

    def run(**kwargs):
        return _column_generation(
            problem, np.random.default_rng(0), [], 4, lambda: None, 0.0, 0, 0, **kwargs
        )

    reference = run(extra_columns=0, extra_milps=0)
    swaps_only = run(extra_milps=0)
    several = run(extra_milps=3)
    np.testing.assert_allclose(
        np.sort(several.type_probabilities), np.sort(reference.type_probabilities), atol=1e-7
    )
    # more than one MILP per master LP, and fewer master LPs than with swaps alone
    assert several.stats.pricing_solves - 5 > several.stats.lp_solves
    assert several.stats.lp_solves < swaps_only.stats.lp_solves
    for x in several.panels:
        assert problem.counts_meet_quotas(x)


def test_result_records_algorithm_version_and_stats(medium):
    _, result = medium
    assert result.algorithm and result.version
    assert result.stats.columns >= len(result.panels)
    assert result.stats.levels >= 1 and result.stats.seconds > 0


# --- feasibility ------------------------------------------------------------------------------


def _pool(spec: dict[tuple[str, str], int]) -> list[dict[str, str]]:
    people = []
    for (region, gender), count in spec.items():
        for _ in range(count):
            people.append({"id": f"p{len(people)}", "region": region, "gender": gender})
    return people


def test_feasible_quotas_report_feasible():
    people = _pool({("도심권", "f"): 5, ("동북권", "m"): 5})
    quotas = [Quota("region", "도심권", 1, 3), Quota("region", "동북권", 1, 3)]
    quotas += [Quota("gender", "f", 1, 3), Quota("gender", "m", 1, 3)]
    assert check_feasibility(Problem.from_people(people, quotas, 4)).feasible


def test_single_value_shortage_is_reported_with_counts():
    people = _pool({("도심권", "f"): 4, ("동북권", "m"): 20})
    quotas = [Quota("region", "도심권", 9, 12), Quota("region", "동북권", 8, 11)]
    quotas += [Quota("gender", "f", 0, 20), Quota("gender", "m", 0, 20)]
    report = check_feasibility(Problem.from_people(people, quotas, 20))
    assert not report.feasible
    shortage = [c for c in report.conflicts if c.kind == "shortage"]
    assert [(c.feature, c.value, c.available, c.needed) for c in shortage] == [
        ("region", "도심권", 4, 9)
    ]
    assert "도심권 volunteers: 4; quotas need at least 9" in shortage[0].message


def test_sum_of_mins_above_panel_size_is_reported():
    people = _pool({("a", "f"): 10, ("b", "m"): 10})
    quotas = [Quota("region", "a", 3, 5), Quota("region", "b", 3, 5)]
    quotas += [Quota("gender", "f", 1, 5), Quota("gender", "m", 1, 5)]
    report = check_feasibility(Problem.from_people(people, quotas, 5))
    kinds = {(c.kind, c.feature, c.needed) for c in report.conflicts}
    assert ("min_sum", "region", 6) in kinds


def test_sum_of_maxes_below_panel_size_is_reported():
    people = _pool({("a", "f"): 10, ("b", "m"): 10})
    quotas = [Quota("region", "a", 0, 2), Quota("region", "b", 0, 2)]
    quotas += [Quota("gender", "f", 0, 5), Quota("gender", "m", 0, 5)]
    report = check_feasibility(Problem.from_people(people, quotas, 5))
    assert any(c.kind == "max_sum" and c.available == 4 for c in report.conflicts)


def test_cross_feature_conflict_gets_smallest_feasible_relaxation():
    # All women live in region a and all men in b: region a <= 2 forces women <= 2,
    # but women need at least 4. Each feature alone is satisfiable.
    people = _pool({("a", "f"): 10, ("b", "m"): 10})
    quotas = [Quota("region", "a", 0, 2), Quota("region", "b", 0, 10)]
    quotas += [Quota("gender", "f", 4, 10), Quota("gender", "m", 0, 10)]
    problem = Problem.from_people(people, quotas, 6)
    report = check_feasibility(problem)
    assert not report.feasible
    assert [c.kind for c in report.conflicts] == ["cross_feature"]
    total = sum(abs(c.new_min - c.old_min) + abs(c.new_max - c.old_max) for c in report.relaxation)
    assert total == 2
    relaxed = Problem.from_people(people, report.relaxed_quotas(quotas), 6)
    assert check_feasibility(relaxed).feasible
    assert any("->" in m for m in report.messages)


def test_leximin_raises_with_report_when_infeasible():
    people = _pool({("a", "f"): 2, ("b", "m"): 10})
    quotas = [Quota("region", "a", 3, 5), Quota("region", "b", 0, 5)]
    quotas += [Quota("gender", "f", 0, 5), Quota("gender", "m", 0, 5)]
    with pytest.raises(InfeasibleQuotasError) as err:
        leximin(Problem.from_people(people, quotas, 5))
    assert err.value.report.conflicts[0].kind == "shortage"


def test_pool_smaller_than_panel_is_reported():
    people = _pool({("a", "f"): 2})
    quotas = [Quota("region", "a", 0, 5), Quota("gender", "f", 0, 5)]
    report = check_feasibility(Problem.from_people(people, quotas, 3))
    assert report.conflicts[0].kind == "pool_too_small"
    assert report.conflicts[0].message == "The pool has 2 volunteers; the panel needs 3."
    assert report.relaxation == ()


# --- audit digest -----------------------------------------------------------------------------


def _digest_problem(**changes) -> Problem:
    people = [
        {"id": "a", "region": "n", "gender": "f"},
        {"id": "b", "region": "s", "gender": "m"},
        {"id": "c", "region": "s", "gender": "f"},
    ]
    quotas = [Quota("region", "n", 0, 2), Quota("region", "s", 0, 2)]
    quotas += [Quota("gender", "f", 0, 2), Quota("gender", "m", 0, 2)]
    size = 2
    if "person" in changes:
        people[0] = changes["person"]
    if "quota" in changes:
        quotas[0] = changes["quota"]
    if "size" in changes:
        size = changes["size"]
    if changes.get("reverse"):
        people = people[::-1]
    return Problem.from_people(people, quotas, size)


def test_inputs_digest_is_stable_and_independent_of_row_order():
    assert inputs_digest(_digest_problem()) == inputs_digest(_digest_problem(reverse=True))
    assert len(inputs_digest(_digest_problem())) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"person": {"id": "z", "region": "n", "gender": "f"}},
        {"person": {"id": "a", "region": "s", "gender": "f"}},
        {"quota": Quota("region", "n", 1, 2)},
        {"quota": Quota("region", "n", 0, 1)},
        {"size": 1},
    ],
)
def test_inputs_digest_changes_when_an_input_changes(change):
    assert inputs_digest(_digest_problem(**change)) != inputs_digest(_digest_problem())


def test_inputs_digest_changes_with_algorithm_version():
    p = _digest_problem()
    assert inputs_digest(p, "leximin/2") != inputs_digest(p)


# --- parsing ----------------------------------------------------------------------------------

CATEGORIES = "feature,value,min,max\ngender,female,1,3\ngender,male,1,3\nage,young,0,2\n"


def test_parse_categories_sortition_foundation_format():
    assert parse_categories(CATEGORIES)[0] == Quota("gender", "female", 1, 3)


def test_parse_categories_paper_format():
    text = "category,feature,min,max\ngender,female,99,200\n"
    assert parse_categories(text) == [Quota("gender", "female", 99, 200)]


def test_parse_people_reads_ids_and_features():
    quotas = parse_categories(CATEGORIES)
    people = parse_people("id,gender,age,name\n7,male,young,X\n", quotas)
    assert people[0]["id"] == "7" and people[0]["gender"] == "male"


def test_parse_people_without_id_column_uses_row_numbers():
    quotas = parse_categories(CATEGORIES)
    people = parse_people("gender,age\nmale,young\nfemale,young\n", quotas, id_column=None)
    assert [p["id"] for p in people] == ["1", "2"]


@pytest.mark.parametrize(
    ("text", "row", "column", "fragment"),
    [
        ("feature,value,min\ngender,female,1\n", None, "max", "missing column 'max'"),
        ("feature,value,min,max\ngender,female,3,1\n", 1, "min", "min 3 exceeds max 1"),
        ("feature,value,min,max\ngender,female,one,2\n", 1, "min", "'one' is not a whole"),
        ("feature,value,min,max\ngender,f,1,2\ngender,f,0,2\n", 2, None, "duplicate quota"),
    ],
)
def test_category_errors_name_row_and_column(text, row, column, fragment):
    with pytest.raises(SelectionInputError) as err:
        parse_categories(text)
    assert (err.value.row, err.value.column) == (row, column)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("text", "row", "column", "fragment"),
    [
        ("id,gender\n1,male\n", None, "age", "missing column 'age'"),
        ("id,gender,age\n1,male,young\n1,female,young\n", 2, "id", "duplicate id '1'"),
        ("id,gender,age\n1,male,young\n2,other,young\n", 2, "gender", "unknown value 'other'"),
    ],
)
def test_people_errors_name_row_and_column(text, row, column, fragment):
    with pytest.raises(SelectionInputError) as err:
        parse_people(text, parse_categories(CATEGORIES))
    assert (err.value.row, err.value.column) == (row, column)
    assert fragment in str(err.value)


def test_quota_error_from_dataclass_input_names_the_row():
    with pytest.raises(SelectionInputError, match="min 5 exceeds max 2"):
        Problem.from_people([], [Quota("g", "a", 5, 2)], 1)


# --- helpers ----------------------------------------------------------------------------------


def test_quotas_from_shares_floor_and_ceil_with_tolerance():
    quotas = quotas_from_shares({"gender": {"f": 0.51, "m": 0.49}}, 300, tolerance=0.05)
    assert quotas == [Quota("gender", "f", 138, 168), Quota("gender", "m", 132, 162)]


def test_quotas_from_shares_clips_to_panel():
    quotas = quotas_from_shares({"g": {"a": 0.02, "b": 0.98}}, 100, tolerance=0.05)
    assert quotas == [Quota("g", "a", 0, 7), Quota("g", "b", 93, 100)]


def test_weighted_gini_matches_pairwise_definition():
    rng = np.random.default_rng(0)
    v, w = rng.random(6), rng.integers(1, 4, 6)
    flat = np.repeat(v, w)
    pairwise = np.abs(flat[:, None] - flat[None, :]).sum() / (2 * len(flat) ** 2 * flat.mean())
    assert weighted_gini(v, w) == pytest.approx(pairwise)


def test_problem_is_immutable():
    problem = medium_problem(n=40, k=6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.panel_size = 3  # type: ignore[misc]
