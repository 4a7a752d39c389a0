"""Representativeness: the chi-square goodness of fit equals scipy's on the same counts."""

import pytest
from scipy import stats as sps

from panels.representativeness import compare, composition_fit

TOL = dict(rel=1e-9, abs=1e-12)


def test_fit_equals_scipy_chisquare_with_renormalised_shares():
    shares = {"도심권": 0.05, "동북권": 0.315, "서북권": 0.12, "서남권": 0.317, "동남권": 0.198}
    sample = ["도심권"] * 20 + ["동북권"] * 90 + ["서북권"] * 40 + ["서남권"] * 95 + ["동남권"] * 55
    fit = composition_fit("region", shares, sample)
    total = sum(shares.values())
    expected = [300 * s / total for s in shares.values()]
    ref = sps.chisquare([20, 90, 40, 95, 55], f_exp=expected)
    assert fit.statistic == pytest.approx(ref.statistic, **TOL)
    assert fit.p_value == pytest.approx(ref.pvalue, **TOL)
    assert fit.df == 4
    assert fit.categories[0].sample_share == pytest.approx(20 / 300)
    assert fit.max_abs_difference == pytest.approx(max(abs(c.difference) for c in fit.categories))


def test_sample_categories_outside_the_margins_are_counted_apart():
    fit = composition_fit("gender", {"남성": 0.5, "여성": 0.5}, ["남성", "여성", "기타"])
    assert fit.unmatched == 1 and fit.n == 2


def test_no_sample_gives_no_test():
    fit = composition_fit("gender", {"남성": 0.5, "여성": 0.5}, [])
    assert fit.statistic is None and fit.p_value is None


def test_chi_square_compares_panel_counts_with_population_shares():
    (comp,) = compare(
        {"g": {"a": 0.5, "b": 0.5}}, {"g": {"a": 70, "b": 30}}, {"g": {"a": 5, "b": 5}}
    )
    assert comp.chi2 == pytest.approx(0.0)
    assert comp.p_value == pytest.approx(1.0)
    (skewed,) = compare({"g": {"a": 0.5, "b": 0.5}}, {}, {"g": {"a": 90, "b": 10}})
    assert skewed.p_value < 0.001


def test_shares_leave_out_members_outside_the_margins_as_the_test_does():
    (comp,) = compare(
        {"g": {"a": 0.6, "b": 0.4}},
        {"g": {"a": 30, "b": 10, "x": 60}},
        {"g": {"a": 6, "b": 3, "x": 1}},
    )
    rows = {r.value: r for r in comp.rows}
    assert rows["a"].panel_share == pytest.approx(6 / 9) == comp.fit.categories[0].sample_share
    assert rows["a"].pool_share == pytest.approx(0.75)
    assert rows["x"].panel_share is None and rows["x"].population_share is None
    assert rows["x"].panel_count == 1 and comp.fit.unmatched == 1
    ref = sps.chisquare([6, 3], f_exp=[9 * 0.6, 9 * 0.4])
    assert comp.chi2 == pytest.approx(ref.statistic, **TOL)


def test_a_feature_without_margins_shows_shares_of_everyone_and_no_test():
    (comp,) = compare({}, {"edu": {"hi": 3, "lo": 1}}, {"edu": {"hi": 1, "lo": 1}})
    assert comp.fit is None and comp.chi2 is None
    assert {r.value: r.pool_share for r in comp.rows} == {"hi": 0.75, "lo": 0.25}
