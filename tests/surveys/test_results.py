"""Frequencies with CIs from the effective n, crosstabs with chi-square, and weighting a wave."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from django.urls import reverse
from scipy import stats as sps

from panels.models import PopulationMargin
from surveys import actions, results, weighting
from surveys.item_data import item_data
from surveys.models import Response, WeightingRun
from tests.surveys.conftest import EN
from tests.surveys.factories import FULL_ANSWERS, MARGINS, complete_response


def test_unweighted_frequency_ci_is_the_wald_interval():
    freq = results.frequencies(np.array([1, 1, 2, 2, 2, np.nan]), {1.0: "예", 2.0: "아니오"})
    yes = freq.rows[0]
    assert freq.n == 5 and yes.count == 2
    half = 1.959963984540054 * np.sqrt(0.4 * 0.6 / 5)
    assert yes.unweighted.ci_high == pytest.approx(0.4 + half)
    assert yes.unweighted.ci_low == max(0.0, 0.4 - half)
    assert yes.weighted is None


def test_weighted_interval_uses_the_effective_sample_size():
    values = np.array([1, 2] * 50, dtype=float)
    weights = np.where(np.arange(100) < 10, 5.0, 0.5)
    freq = results.frequencies(values, {1.0: "a", 2.0: "b"}, weights)
    n_eff = weighting.kish_effective_n(weights)
    assert freq.effective_n == pytest.approx(n_eff)
    assert freq.weighted_margin_of_error == pytest.approx(weighting.margin_of_error(n_eff))
    assert freq.weighted_margin_of_error > freq.margin_of_error


def test_categories_without_answers_are_listed_with_zero():
    freq = results.frequencies(np.array([1.0, 1.0]), {1.0: "a", 2.0: "b"})
    assert [(r.label, r.count) for r in freq.rows] == [("a", 2), ("b", 0)]


def test_unweighted_crosstab_chi_square_matches_scipy():
    values = np.array([1, 1, 2, 2, 1, 2, 1, 1, 2, 2, 2, 2], dtype=float)
    groups = ["a"] * 6 + ["b"] * 6
    table = results.crosstab(values, groups)
    expected = sps.chi2_contingency(np.array([[3, 2], [3, 4]]), correction=False)
    assert table.chi2 == pytest.approx(expected[0]) and table.p_value == pytest.approx(expected[1])
    assert table.column_shares[:, 0].tolist() == pytest.approx([3 / 6, 3 / 6])


def test_weighted_crosstab_is_tested_at_the_effective_sample_size():
    values = np.array([1, 1, 2, 2, 1, 2, 1, 1, 2, 2, 2, 2], dtype=float)
    groups = ["a"] * 6 + ["b"] * 6
    weights = np.array([3, 1] * 6, dtype=float)
    table = results.crosstab(values, groups, weights)
    counts = np.zeros((2, 2))
    for v, g, w in zip(values, groups, weights, strict=True):
        counts[int(v) - 1, 0 if g == "a" else 1] += w
    scaled = counts * weighting.kish_effective_n(weights) / weights.sum()
    assert table.chi2 == pytest.approx(sps.chi2_contingency(scaled, correction=False)[0])


def test_chart_is_svg_with_the_labels_as_text():
    freq = results.frequencies(np.array([1.0, 2.0, 2.0]), {1.0: "찬성", 2.0: "반대"})
    svg = results.bar_chart(freq, "Q1").decode()
    assert svg.lstrip().startswith("<?xml") and "찬성" in svg


@pytest.fixture
def answered(wave):
    profiles = list(itertools.product(MARGINS["region"], MARGINS["gender"], ["18-29", "60+"]))
    for i, (region, gender, band) in enumerate(profiles * 2):
        answers = {**FULL_ANSWERS, "Q1": 1.0 if band == "60+" else 2.0}
        complete_response(wave, f"R{i:03d}", answers, region=region, gender=gender, age_band=band)
    PopulationMargin.objects.filter(deliberation=wave.deliberation, feature="age_band").delete()
    PopulationMargin.objects.create(
        deliberation=wave.deliberation, feature="age_band", value="18-29", share="0.3"
    )
    PopulationMargin.objects.create(
        deliberation=wave.deliberation, feature="age_band", value="60+", share="0.7"
    )
    return wave


def test_weighting_a_wave_meets_the_margins_and_records_the_run(answered):
    run = actions.do_weight_wave(answered)
    weights = np.array(Response.objects.values_list("weight", flat=True))
    assert weights.mean() == pytest.approx(1)
    old = Response.objects.filter(age_band="60+").values_list("weight", flat=True)
    assert sum(old) / weights.sum() == pytest.approx(0.7)
    assert run.converged and run.effective_n == pytest.approx(weighting.kish_effective_n(weights))


def test_weighting_refuses_margins_on_a_variable_respondents_lack(answered):
    PopulationMargin.objects.create(
        deliberation=answered.deliberation, feature="education", value="대졸", share="1"
    )
    with pytest.raises(actions.WeightingRefused, match="education"):
        actions.do_weight_wave(answered)
    assert not WeightingRun.objects.exists()
    assert not Response.objects.filter(weight__isnull=False).exists()


def test_analyst_weights_and_compares_weighted_with_unweighted(client, analyst, answered):
    client.force_login(analyst)
    page = client.post(reverse("surveys:weighting", args=[answered.pk]), {"cap": ""})
    assert page.status_code == 302 and WeightingRun.objects.count() == 1
    html = client.get(reverse("surveys:results", args=[answered.pk]) + "?item=Q1", **EN)
    html = html.content.decode()
    assert "Weighted %" in html and "Unweighted %" in html
    assert "effective sample size" in html and "Chi-square" in html
    assert ">70.0<" in html  # weighted share of the 60+ answer, unweighted 50.0


def test_chart_view_serves_png(client, analyst, answered):
    client.force_login(analyst)
    page = client.get(reverse("surveys:chart", args=[answered.pk, "Q3", "png"]))
    assert page["Content-Type"] == "image/png" and page.content[:4] == b"\x89PNG"


def test_weighting_page_lists_margins_against_the_sample(client, organizer, answered):
    client.force_login(organizer)
    html = client.get(reverse("surveys:weighting", args=[answered.pk]), **EN).content.decode()
    assert "Sample against population" in html and "도심권" in html


def test_crosstab_counts_each_answer_in_its_group_and_leaves_out_blank_groups():
    table = results.crosstab(
        np.array([1, 2, 2, 1, np.nan, 2]), ["b", "a", "a", "", "a", "b"], np.arange(1, 7.0)
    )
    assert table.row_values == [1.0, 2.0] and table.column_values == ["a", "b"]
    assert table.counts.tolist() == [[0.0, 1.0], [5.0, 6.0]]
    assert table.n == 4


def test_an_unchanged_waves_item_is_read_from_the_cache_in_two_queries(
    answered, django_assert_num_queries
):
    first = item_data(answered, "Q1")
    with django_assert_num_queries(2):
        again = item_data(answered, "Q1")
    assert np.array_equal(first.values, again.values, equal_nan=True)
    assert again.strata == first.strata


def test_a_new_response_exclusion_or_weighting_reaches_the_next_results(answered, organizer):
    before = item_data(answered, "Q1")
    profile = {
        "region": next(iter(MARGINS["region"])),
        "gender": next(iter(MARGINS["gender"])),
        "age_band": "60+",
    }
    complete_response(answered, "R999", {**FULL_ANSWERS, "Q1": 2.0}, **profile)
    added = item_data(answered, "Q1")
    assert len(added.values) == len(before.values) + 1 and added.values[-1] == 2.0
    actions.do_weight_wave(answered)
    weighted = item_data(answered, "Q1")
    assert weighted.weights is not None
    actions.do_exclude_responses(
        answered,
        response_ids=[Response.objects.get(respondent_id="R999").pk],
        reason="test",
        actor=organizer,
    )
    assert len(item_data(answered, "Q1").values) == len(before.values)
