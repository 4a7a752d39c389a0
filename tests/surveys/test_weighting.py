"""Tests for surveys.weighting: raking, post-stratification, trimming, Kish diagnostics."""

import math

import numpy as np
import pytest

from surveys.weighting import (
    ConvergenceError,
    WeightingError,
    kish_design_effect,
    kish_effective_n,
    margin_of_error,
    poststratify,
    rake,
    weighted_proportion,
    weighted_proportions,
)


def labels(counts: dict[tuple[str, str], int]) -> tuple[np.ndarray, np.ndarray]:
    """Expand {(sex, age): count} into two label arrays."""
    sex, age = [], []
    for (s, a), k in counts.items():
        sex += [s] * k
        age += [a] * k
    return np.array(sex), np.array(age)


def weight_of(result, sex, age, s, a) -> np.ndarray:
    return result.weights[(sex == s) & (age == a)]


def synthetic(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    region = rng.choice(5, n, p=[0.3, 0.1, 0.2, 0.25, 0.15])
    gender = (rng.random(n) < 0.4 + 0.05 * region).astype(np.int64)  # correlated with region
    age = rng.choice(5, n, p=[0.1, 0.15, 0.2, 0.25, 0.3])
    return {"region": region, "gender": gender, "age": age}


MARGINS = {
    "region": {0: 0.10, 1: 0.30, 2: 0.20, 3: 0.25, 4: 0.15},
    "gender": {0: 0.48, 1: 0.52},
    "age": {0: 0.15, 1: 0.20, 2: 0.25, 3: 0.22, 4: 0.18},
}


# --- raking --------------------------------------------------------------------------------


def test_rake_hand_computed_independent_2x2():
    # Sample counts: M/Y 2, M/O 2, F/Y 1, F/O 1 (n = 6). Targets: M 0.5, Y 0.3.
    # Sweep 1, sex:  M total 4 -> 3 (x 3/4), F total 2 -> 3 (x 3/2)
    #   weights: MY .75, MO .75, FY 1.5, FO 1.5
    # Sweep 1, age:  Y total 2*.75 + 1.5 = 3 -> 1.8 (x .6); O total 3 -> 4.2 (x 1.4)
    #   weights: MY .45, MO 1.05, FY .9, FO 2.1
    # Sex check: M = 2*.45 + 2*1.05 = 3, F = .9 + 2.1 = 3: converged; mean = 6/6 = 1.
    sex, age = labels({("M", "Y"): 2, ("M", "O"): 2, ("F", "Y"): 1, ("F", "O"): 1})
    result = rake(
        {"sex": sex, "age": age}, {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 0.3, "O": 0.7}}
    )
    np.testing.assert_allclose(weight_of(result, sex, age, "M", "Y"), 0.45, rtol=1e-12)
    np.testing.assert_allclose(weight_of(result, sex, age, "M", "O"), 1.05, rtol=1e-12)
    np.testing.assert_allclose(weight_of(result, sex, age, "F", "Y"), 0.9, rtol=1e-12)
    np.testing.assert_allclose(weight_of(result, sex, age, "F", "O"), 2.1, rtol=1e-12)


def test_rake_hand_computed_2x2_with_interaction_keeps_odds_ratio():
    # Sample counts: M/Y 3, M/O 1, F/Y 1, F/O 2 (n = 7), odds ratio 3*2 / (1*1) = 6.
    # Targets M 0.6, Y 0.5. IPF converges to the unique table with the target margins and the
    # sample odds ratio: shares MY .4, MO .2, FY .1, FO .3 (margins .6/.5, OR .12/.02 = 6).
    # Per-row weight = share * n / count: MY .4*7/3, MO .2*7, FY .1*7, FO .3*7/2.
    sex, age = labels({("M", "Y"): 3, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 2})
    result = rake(
        {"sex": sex, "age": age}, {"sex": {"M": 0.6, "F": 0.4}, "age": {"Y": 0.5, "O": 0.5}}
    )
    assert result.converged
    np.testing.assert_allclose(weight_of(result, sex, age, "M", "Y"), 0.4 * 7 / 3, rtol=1e-9)
    np.testing.assert_allclose(weight_of(result, sex, age, "M", "O"), 0.2 * 7, rtol=1e-9)
    np.testing.assert_allclose(weight_of(result, sex, age, "F", "Y"), 0.1 * 7, rtol=1e-9)
    np.testing.assert_allclose(weight_of(result, sex, age, "F", "O"), 0.3 * 7 / 2, rtol=1e-9)


def test_rake_meets_every_margin_on_three_variables():
    data = synthetic(20_000)
    result = rake(data, MARGINS)
    for name, dist in MARGINS.items():
        for cat, share in dist.items():
            achieved = result.weights[data[name] == cat].sum() / result.weights.sum()
            assert achieved == pytest.approx(share, abs=1e-9)
    assert result.max_margin_error <= 1e-10


def test_rake_weights_have_mean_one():
    result = rake(synthetic(5_000), MARGINS)
    assert result.weights.mean() == pytest.approx(1.0, abs=1e-12)


def test_rake_reports_iterations_and_convergence():
    result = rake(synthetic(5_000), MARGINS)
    assert result.converged
    assert result.iterations >= 1
    assert result.method == "raking"


def test_rake_with_base_weights_meets_margins_and_keeps_ratios_within_cells():
    data = synthetic(5_000, seed=3)
    base = np.random.default_rng(1).choice([0.5, 1.0, 2.0], size=5_000)
    result = rake(data, MARGINS, base_weights=base)
    for name, dist in MARGINS.items():
        for cat, share in dist.items():
            achieved = result.weights[data[name] == cat].sum() / result.weights.sum()
            assert achieved == pytest.approx(share, abs=1e-9)
    cell = (data["region"] == 0) & (data["gender"] == 1) & (data["age"] == 2)
    ratio = result.weights[cell] / base[cell]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)


def test_rake_accepts_lists_of_string_labels():
    sex = ["M", "M", "F", "F", "F"]
    result = rake({"sex": sex}, {"sex": {"M": 0.5, "F": 0.5}})
    np.testing.assert_allclose(result.weights, [1.25, 1.25, 5 / 6, 5 / 6, 5 / 6], rtol=1e-12)


def test_rake_accepts_a_list_of_label_arrays_in_margin_order():
    data = synthetic(2_000, seed=4)
    by_name = rake(data, MARGINS)
    by_position = rake([data["region"], data["gender"], data["age"]], MARGINS)
    np.testing.assert_array_equal(by_position.weights, by_name.weights)


def test_error_wrong_number_of_label_arrays():
    with pytest.raises(WeightingError, match="got 1 label arrays for 3 margins"):
        rake([np.zeros(3)], MARGINS)


def test_rake_accepts_large_and_negative_integer_codes():
    x = np.array([10**12, 10**12, -3, 10**12 + 1])
    result = rake({"x": x}, {"x": {10**12: 0.5, -3: 0.25, 10**12 + 1: 0.25}})
    np.testing.assert_allclose(result.weights, [1.0, 1.0, 1.0, 1.0], rtol=1e-12)


def test_rake_gives_zero_weight_to_a_category_with_zero_share():
    result = rake({"x": [1, 1, 2, 3]}, {"x": {1: 0.5, 2: 0.5, 3: 0.0}})
    assert result.weights[3] == 0.0
    assert result.weights[2] == pytest.approx(2.0)


def test_rake_matches_weightipy_reference():
    wp = pytest.importorskip("weightipy")
    pd = pytest.importorskip("pandas")
    data = synthetic(20_000, seed=7)
    scheme = wp.scheme_from_dict(
        {name: {cat: 100 * s for cat, s in dist.items()} for name, dist in MARGINS.items()},
        rim_params={"convcrit": 1e-14, "max_iterations": 1000},
    )
    reference = wp.weight(pd.DataFrame(data), scheme).to_numpy()
    ours = rake(data, MARGINS, tol=1e-13).weights
    np.testing.assert_allclose(ours, reference, rtol=1e-6)


# --- trimming ------------------------------------------------------------------------------


def test_trimming_caps_every_weight():
    data = synthetic(20_000)
    untrimmed = rake(data, MARGINS)
    cap = 0.8 * untrimmed.weights.max()
    result = rake(data, MARGINS, cap=cap)
    assert result.weights.max() <= cap * (1 + 1e-9)


def test_trimming_still_meets_the_margins():
    data = synthetic(20_000)
    cap = 0.8 * rake(data, MARGINS).weights.max()
    result = rake(data, MARGINS, cap=cap)
    assert result.converged
    assert result.max_margin_error <= 1e-10


def test_trimming_reports_trimmed_rows():
    data = synthetic(20_000)
    untrimmed = rake(data, MARGINS)
    cap = 0.8 * untrimmed.weights.max()
    info = rake(data, MARGINS, cap=cap).trimming
    assert info.cap == cap
    assert info.n_trimmed > 0
    assert info.trimmed_share == info.n_trimmed / 20_000
    assert info.max_weight_untrimmed == pytest.approx(untrimmed.weights.max())


def test_trimming_with_a_loose_cap_changes_nothing():
    data = synthetic(5_000)
    untrimmed = rake(data, MARGINS)
    result = rake(data, MARGINS, cap=2 * untrimmed.weights.max())
    np.testing.assert_allclose(result.weights, untrimmed.weights, rtol=1e-12)
    assert result.trimming.n_trimmed == 0


def test_trimming_with_base_weights_caps_every_row():
    data = synthetic(5_000, seed=2)
    base = np.random.default_rng(5).uniform(0.5, 2.0, 5_000)
    cap = 0.8 * rake(data, MARGINS, base_weights=base).weights.max()
    result = rake(data, MARGINS, base_weights=base, cap=cap)
    assert result.weights.max() <= cap * (1 + 1e-9)
    assert result.max_margin_error <= 1e-10


def test_infeasible_cap_raises_convergence_error():
    # Half the sample is in x=1 but the target is 90%: x=1 needs weight 1.8 > cap 1.5.
    with pytest.raises(ConvergenceError, match="did not converge"):
        rake({"x": [1, 1, 2, 2]}, {"x": {1: 0.9, 2: 0.1}}, cap=1.5, max_iter=50)


def test_best_effort_returns_unconverged_result():
    result = rake(
        {"x": [1, 1, 2, 2]}, {"x": {1: 0.9, 2: 0.1}}, cap=1.5, max_iter=50, best_effort=True
    )
    assert not result.converged
    assert result.max_margin_error > 1e-3


# --- post-stratification -------------------------------------------------------------------


def test_poststratify_reproduces_cell_shares_exactly():
    # Counts: M/Y 1, M/O 3, F/Y 2, F/O 4 (n = 10); shares .25 each.
    # Per-row weight = share * n / count: MY 2.5, MO 2.5/3, FY 1.25, FO .625.
    sex, age = labels({("M", "Y"): 1, ("M", "O"): 3, ("F", "Y"): 2, ("F", "O"): 4})
    cells = {("M", "Y"): 0.25, ("M", "O"): 0.25, ("F", "Y"): 0.25, ("F", "O"): 0.25}
    result = poststratify({"sex": sex, "age": age}, cells)
    np.testing.assert_allclose(weight_of(result, sex, age, "M", "Y"), 2.5, rtol=1e-12)
    np.testing.assert_allclose(weight_of(result, sex, age, "M", "O"), 2.5 / 3, rtol=1e-12)
    np.testing.assert_allclose(weight_of(result, sex, age, "F", "Y"), 1.25, rtol=1e-12)
    np.testing.assert_allclose(weight_of(result, sex, age, "F", "O"), 0.625, rtol=1e-12)
    assert result.max_margin_error < 1e-12


def test_poststratify_accepts_bare_categories_for_one_variable():
    result = poststratify({"x": ["a", "b", "b", "b"]}, {"a": 0.5, "b": 0.5})
    np.testing.assert_allclose(result.weights, [2.0, 2 / 3, 2 / 3, 2 / 3], rtol=1e-12)


def test_poststratify_with_base_weights_reproduces_cell_shares():
    x = np.array(["a", "a", "b", "b"])
    base = np.array([1.0, 3.0, 1.0, 1.0])
    result = poststratify({"x": x}, {"a": 0.5, "b": 0.5}, base_weights=base)
    assert result.weights[:2].sum() == pytest.approx(result.weights[2:].sum())
    assert result.weights[1] / result.weights[0] == pytest.approx(3.0)


def test_poststratify_rejects_empty_cell():
    with pytest.raises(WeightingError, match=r"\('F', 'Y'\).*no respondents"):
        poststratify(
            {"sex": ["M", "F"], "age": ["Y", "O"]},
            {("M", "Y"): 0.5, ("F", "O"): 0.3, ("F", "Y"): 0.2},
        )


def test_poststratify_rejects_respondents_in_undeclared_cell():
    with pytest.raises(WeightingError, match=r"\('M', 'O'\)"):
        poststratify(
            {"sex": ["M", "F", "M"], "age": ["Y", "O", "O"]},
            {("M", "Y"): 0.5, ("F", "O"): 0.5},
        )


def test_poststratify_rejects_shares_not_summing_to_one():
    with pytest.raises(WeightingError, match="sum to"):
        poststratify({"x": ["a", "b"]}, {"a": 0.5, "b": 0.6})


# --- diagnostics ---------------------------------------------------------------------------


def test_kish_effective_n_formula():
    # w = 1, 1, 2, 4: sum 8, sum of squares 22 -> n_eff = 64 / 22
    assert kish_effective_n([1, 1, 2, 4]) == pytest.approx(64 / 22, rel=1e-15)


def test_kish_design_effect_is_one_plus_cv_squared():
    # w = 1, 1, 2, 4: mean 2, variance (ddof 0) (1 + 1 + 0 + 4) / 4 = 1.5, CV^2 = 1.5 / 4
    assert kish_design_effect([1, 1, 2, 4]) == pytest.approx(1 + 1.5 / 4, rel=1e-15)


def test_result_reports_design_effect_and_effective_n_of_its_weights():
    result = rake(synthetic(5_000), MARGINS)
    w = result.weights
    assert result.effective_n == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert result.design_effect == pytest.approx(1 + w.var() / w.mean() ** 2, rel=1e-12)


def test_margin_of_error_uses_effective_n():
    # z(97.5%) = 1.959963985; p = .5, n_eff = 400 -> 1.96 * sqrt(.25 / 400) = 1.96 * .025
    assert margin_of_error(400) == pytest.approx(1.959963984540054 * 0.025, rel=1e-12)


def test_weighted_proportion_estimate_and_ci():
    x = np.array([True, False, True, True])
    w = np.array([1.0, 1.0, 2.0, 4.0])
    est = weighted_proportion(x, w)
    p = 7 / 8
    n_eff = 64 / 22
    moe = 1.959963984540054 * math.sqrt(p * (1 - p) / n_eff)
    assert est.estimate == pytest.approx(p)
    assert est.effective_n == pytest.approx(n_eff)
    assert est.ci_low == pytest.approx(p - moe)
    assert est.ci_high == 1.0  # p + moe > 1 is clipped


def test_weighted_proportions_cover_every_category():
    est = weighted_proportions(["a", "b", "b", "c"], [2.0, 1.0, 1.0, 4.0])
    assert {k: v.estimate for k, v in est.items()} == pytest.approx(
        {"a": 0.25, "b": 0.25, "c": 0.5}
    )


# --- errors --------------------------------------------------------------------------------


def test_error_margin_category_without_respondents():
    with pytest.raises(WeightingError, match=r"'sex', category 'X'.*no respondents"):
        rake({"sex": ["M", "F"]}, {"sex": {"M": 0.4, "F": 0.4, "X": 0.2}})


def test_error_margins_not_summing_to_one():
    with pytest.raises(WeightingError, match=r"margin 'sex': shares sum to 0.9"):
        rake({"sex": ["M", "F"]}, {"sex": {"M": 0.5, "F": 0.4}})


def test_margins_summing_to_one_within_tolerance_are_accepted():
    result = rake({"sex": ["M", "F"]}, {"sex": {"M": 0.5, "F": 0.5 + 5e-7}})
    assert result.converged


def test_error_respondent_category_not_in_margins():
    with pytest.raises(WeightingError, match=r"variable 'sex'.*not in the margins.*'X'"):
        rake({"sex": ["M", "F", "X"]}, {"sex": {"M": 0.5, "F": 0.5}})


def test_error_integer_code_not_in_margins():
    with pytest.raises(WeightingError, match=r"variable 'region'.*7"):
        rake({"region": np.array([0, 1, 7])}, {"region": {0: 0.5, 1: 0.5}})


def test_error_non_convergence_carries_the_result():
    sex, age = labels({("M", "Y"): 3, ("M", "O"): 1, ("F", "Y"): 1, ("F", "O"): 2})
    margins = {"sex": {"M": 0.6, "F": 0.4}, "age": {"Y": 0.5, "O": 0.5}}
    with pytest.raises(ConvergenceError) as info:
        rake({"sex": sex, "age": age}, margins, max_iter=1)
    assert info.value.result.iterations == 1
    assert not info.value.result.converged


def test_error_negative_share():
    with pytest.raises(WeightingError, match=r"'sex', category 'F'"):
        rake({"sex": ["M", "F"]}, {"sex": {"M": 1.5, "F": -0.5}})


def test_error_margin_without_data():
    with pytest.raises(WeightingError, match="age"):
        rake({"sex": ["M", "F"]}, {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 1.0}})


def test_error_variables_of_different_lengths():
    with pytest.raises(WeightingError, match="'age' has 1 values"):
        rake({"sex": ["M", "F"], "age": ["Y"]}, {"sex": {"M": 0.5, "F": 0.5}, "age": {"Y": 1.0}})


def test_error_cap_not_above_one():
    with pytest.raises(WeightingError, match="cap"):
        rake({"sex": ["M", "F"]}, {"sex": {"M": 0.5, "F": 0.5}}, cap=1.0)


def test_error_non_positive_base_weight():
    with pytest.raises(WeightingError, match="base_weights"):
        rake({"sex": ["M", "F"]}, {"sex": {"M": 0.5, "F": 0.5}}, base_weights=[1.0, 0.0])
