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
