"""Tests for surveys.stats: paired wave comparisons checked against scipy and statsmodels."""

import json
import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats import contingency_tables as sm_ct
from statsmodels.stats import multitest as sm_mt
from statsmodels.stats import proportion as sm_prop

from surveys.stats import (
    EXACT_MCNEMAR_LIMIT,
    StatsError,
    analyze_items,
    analyze_subgroups,
    attrition,
    bowker_symmetry,
    compare_binary,
    compare_interval,
    compare_nominal,
    compare_ordinal,
    compare_panel_to_poll,
    holm,
    mcnemar_test,
    newcombe_paired_ci,
    paired_t_test,
    stuart_maxwell,
    wilcoxon_test,
)

TOL = dict(rel=1e-9, abs=1e-12)


def paired_binary(n10: int, n01: int, n11: int = 5, n00: int = 5) -> tuple[np.ndarray, ...]:
    a = np.array([1] * n10 + [0] * n01 + [1] * n11 + [0] * n00, dtype=float)
    b = np.array([0] * n10 + [1] * n01 + [1] * n11 + [0] * n00, dtype=float)
    return a, b


def table_of(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cats = sorted(set(a.tolist()) | set(b.tolist()))
    t = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b, strict=True):
        t[cats.index(x), cats.index(y)] += 1
    return t


def nominal_pairs(n: int, k: int, seed: int, stay: float = 0.6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, k, n).astype(float)
    b = np.where(rng.random(n) < stay, a, rng.integers(0, k, n)).astype(float)
    return a, b


def likert_pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five-point answers with many ties and many zero differences."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 6, n).astype(float)
    b = np.clip(a + rng.choice([-1, 0, 0, 0, 1, 1, 2], n), 1, 5).astype(float)
    return a, b


# --- McNemar -------------------------------------------------------------------------------


def test_mcnemar_exact_matches_statsmodels():
    a, b = paired_binary(n10=3, n01=9)
    ours = mcnemar_test(a, b)
    ref = sm_ct.mcnemar(table_of(a, b), exact=True)
    assert ours.test == "mcnemar_exact"
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.p_value == pytest.approx(ref.pvalue, **TOL)


def test_mcnemar_chi2_matches_statsmodels_with_continuity_correction():
    a, b = paired_binary(n10=12, n01=25)
    ours = mcnemar_test(a, b)
    ref = sm_ct.mcnemar(table_of(a, b), exact=False, correction=True)
    assert ours.test == "mcnemar_chi2"
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.p_value == pytest.approx(ref.pvalue, **TOL)


def test_mcnemar_switches_to_chi2_at_the_discordant_limit():
    below = mcnemar_test(*paired_binary(n10=10, n01=EXACT_MCNEMAR_LIMIT - 11))
    at = mcnemar_test(*paired_binary(n10=10, n01=EXACT_MCNEMAR_LIMIT - 10))
    assert (below.test, at.test) == ("mcnemar_exact", "mcnemar_chi2")


def test_mcnemar_without_discordant_pairs_gives_p_one():
    result = mcnemar_test(*paired_binary(n10=0, n01=0))
    assert (result.statistic, result.p_value) == (0.0, 1.0)


def test_mcnemar_drops_pairs_with_a_missing_answer():
    a, b = paired_binary(n10=4, n01=10)
    a_missing = np.append(a, [np.nan, 1.0])
    b_missing = np.append(b, [0.0, np.nan])
    assert mcnemar_test(a_missing, b_missing) == mcnemar_test(a, b)


def test_mcnemar_rejects_non_binary_answers():
    with pytest.raises(StatsError, match="0 or 1, got 2"):
        mcnemar_test([0, 1, 2], [1, 1, 0])


def test_binary_change_and_counts():
    a, b = paired_binary(n10=3, n01=9, n11=5, n00=5)
    result = compare_binary(a, b, "q")
    assert result.n_pairs == 22
    assert result.change == pytest.approx((9 - 3) / 22)
    assert result.distribution_a == {0: 14, 1: 8}
    assert result.distribution_b == {0: 8, 1: 14}


# --- Newcombe CI ---------------------------------------------------------------------------


def test_newcombe_ci_combines_wilson_intervals_with_phi():
    n11, n10, n01, n00 = 30, 5, 12, 20
    n = n11 + n10 + n01 + n00
    l1, u1 = sm_prop.proportion_confint(n11 + n10, n, method="wilson")
    l2, u2 = sm_prop.proportion_confint(n11 + n01, n, method="wilson")
    p1, p2 = (n11 + n10) / n, (n11 + n01) / n
    # ad - bc = 600 - 60 = 540 > n/2, so it is shrunk by n/2 = 33.5 before forming phi.
    phi = (n11 * n00 - n10 * n01 - n / 2) / math.sqrt(
        (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)
    )
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2)
    assert newcombe_paired_ci(n11, n10, n01, n00) == pytest.approx((low, high), **TOL)


def test_newcombe_ci_has_width_without_discordant_pairs():
    low, high = newcombe_paired_ci(10, 0, 0, 10)
    assert low < 0 < high


def test_newcombe_ci_stays_within_minus_one_and_one():
    low, high = newcombe_paired_ci(0, 0, 20, 0)
    assert -1.0 <= low <= high <= 1.0


# --- Stuart-Maxwell and Bowker -------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stuart_maxwell_matches_statsmodels(seed):
    a, b = nominal_pairs(150, 4, seed)
    ours = stuart_maxwell(a, b)
    ref = sm_ct.SquareTable(table_of(a, b), shift_zeros=False).homogeneity()
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.p_value == pytest.approx(ref.pvalue, **TOL)
    assert ours.df == ref.df


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bowker_matches_statsmodels(seed):
    a, b = nominal_pairs(150, 4, seed)
    ours = bowker_symmetry(a, b)
    ref = sm_ct.SquareTable(table_of(a, b), shift_zeros=False).symmetry()
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.p_value == pytest.approx(ref.pvalue, **TOL)
    assert ours.df == ref.df


def test_nominal_table_covers_categories_seen_in_one_wave_only():
    # Category 3 only appears in wave B: the table must still be 4 x 4.
    a = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], dtype=float)
    b = np.array([0, 1, 3, 1, 2, 3, 0, 0, 2, 3, 1, 0], dtype=float)
    ref_table = table_of(a, b)
    assert ref_table.shape == (4, 4)
    result = compare_nominal(a, b, "q")
    ref = sm_ct.SquareTable(ref_table, shift_zeros=False)
    assert result.statistic == pytest.approx(ref.homogeneity().statistic, **TOL)
    assert result.secondary[0].statistic == pytest.approx(ref.symmetry().statistic, **TOL)
    assert result.distribution_a[3] == 0
    assert result.distribution_b[3] == 3


def test_stuart_maxwell_with_an_unchanged_category_equals_test_without_it():
    # Category 9 is answered by the same two panelists in both waves (diagonal only): its
    # covariance row is zero, statsmodels cannot invert it; it carries no information.
    a, b = nominal_pairs(80, 3, seed=4)
    a9, b9 = np.append(a, [9, 9]), np.append(b, [9, 9])
    ours = stuart_maxwell(a9, b9)
    ref = sm_ct.SquareTable(table_of(a, b), shift_zeros=False).homogeneity()
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.df == ref.df


def test_stuart_maxwell_on_a_constant_table_gives_p_one():
    result = stuart_maxwell([2, 2, 2], [2, 2, 2])
    assert (result.statistic, result.p_value) == (0.0, 1.0)


def test_bowker_on_a_constant_table_gives_p_one():
    result = bowker_symmetry([2, 2, 2], [2, 2, 2])
    assert (result.statistic, result.p_value) == (0.0, 1.0)


# --- Wilcoxon ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [20, 40, 300])
def test_wilcoxon_matches_scipy_with_ties_and_zero_differences(n):
    a, b = likert_pairs(n, seed=n)
    assert np.any(a == b)  # the data do contain zero differences
    ours = wilcoxon_test(a, b)
    ref = sps.wilcoxon(b, a, zero_method="wilcox")
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.p_value == pytest.approx(ref.pvalue, **TOL)


def test_rank_biserial_is_two_r_plus_over_rank_sum_minus_one():
    a, b = likert_pairs(60, seed=3)
    d = b - a
    m = np.count_nonzero(d)
    r_plus = sps.wilcoxon(b, a, zero_method="wilcox", alternative="greater").statistic
    expected = 4 * r_plus / (m * (m + 1)) - 1
    assert wilcoxon_test(a, b).effect_size == pytest.approx(expected, **TOL)


def test_wilcoxon_with_all_differences_zero_gives_p_one():
    result = wilcoxon_test([1, 2, 3], [1, 2, 3])
    assert (result.statistic, result.p_value, result.effect_size) == (0.0, 1.0, 0.0)


def test_ordinal_item_reports_distributions_over_pairs():
    result = compare_ordinal([1, 2, 2, np.nan], [2, 2, 3, 1], "q")
    assert result.n_pairs == 3
    assert result.distribution_a == {1: 1, 2: 2, 3: 0}
    assert result.distribution_b == {1: 0, 2: 2, 3: 1}


# --- paired t ------------------------------------------------------------------------------


def test_paired_t_matches_scipy():
    rng = np.random.default_rng(8)
    a = rng.normal(5, 2, 120).round(1)
    b = (a + rng.normal(0.3, 1, 120)).round(1)
    ours = paired_t_test(a, b)
    ref = sps.ttest_rel(b, a)
    assert ours.statistic == pytest.approx(ref.statistic, **TOL)
    assert ours.p_value == pytest.approx(ref.pvalue, **TOL)
    assert ours.df == ref.df


def test_cohen_dz_is_t_over_root_n():
    rng = np.random.default_rng(9)
    a, b = rng.normal(0, 1, 50), rng.normal(0.2, 1, 50)
    result = paired_t_test(a, b)
    assert result.effect_size == pytest.approx(result.statistic / math.sqrt(50), **TOL)


def test_interval_ci_matches_scipy_confidence_interval():
    rng = np.random.default_rng(10)
    a, b = rng.normal(0, 1, 40), rng.normal(0.5, 1, 40)
    ci = sps.ttest_rel(b, a).confidence_interval(0.95)
    assert compare_interval(a, b, "q").ci == pytest.approx((ci.low, ci.high), **TOL)


def test_interval_item_has_wilcoxon_robustness_check():
    a, b = likert_pairs(50, seed=11)
    result = compare_interval(a, b, "q")
    assert result.secondary[0].p_value == pytest.approx(
        sps.wilcoxon(b, a, zero_method="wilcox").pvalue, **TOL
    )


def test_paired_t_with_all_differences_zero_gives_p_one():
    result = paired_t_test([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (result.statistic, result.p_value, result.effect_size) == (0.0, 1.0, 0.0)


def test_paired_t_with_constant_non_zero_difference_serialises_without_nan():
    result = compare_interval([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], "q")
    assert result.p_value == 0.0
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert json.loads(text)["statistic"] is None


def test_interval_item_with_one_pair_is_untested():
    result = compare_interval([1.0, np.nan], [2.0, 3.0], "q")
    assert (result.test, result.p_value, result.n_pairs) == (None, None, 1)


# --- Holm ----------------------------------------------------------------------------------


def test_holm_matches_statsmodels():
    p = [0.01, 0.04, 0.03, 0.04, 0.5, 0.001, 0.2]
    ref = sm_mt.multipletests(p, method="holm")[1]
    assert holm(p) == pytest.approx(list(ref), **TOL)


def test_holm_of_no_p_values_is_empty():
    assert holm([]) == []


# --- long table ----------------------------------------------------------------------------

ITEM_TYPES = {
    "support": "binary",
    "option": "nominal",
    "agree": "ordinal",
    "trust": "interval",
    "k1": "knowledge",
    "k2": "knowledge",
}
ANSWER_KEY = {"k1": 2, "k2": 1}


def long_table(n: int = 120, seed: int = 0):
    """Two waves (plus a third, ignored) with skipped items and panelists missing a wave."""
    rng = np.random.default_rng(seed)
    rows = []
    base = {
        "support": rng.integers(0, 2, n),
        "option": rng.integers(0, 4, n),
        "agree": rng.integers(1, 6, n),
        "trust": rng.integers(0, 11, n),
        "k1": rng.integers(0, 4, n),
        "k2": rng.integers(0, 3, n),
    }
    for pid in range(n):
        for wave in ("pre", "post", "follow"):
            if wave == "post" and pid % 10 == 0:
                continue  # left the panel before wave post
            if wave == "pre" and pid % 17 == 0:
                continue  # joined late
            for item, values in base.items():
                value = float(values[pid])
                if wave != "pre" and rng.random() < 0.4:
                    value = float(rng.integers(0, 4) if item != "trust" else rng.integers(0, 11))
                    if item == "support":
                        value = float(rng.integers(0, 2))
                    if item == "agree":
                        value = float(rng.integers(1, 6))
                if rng.random() < 0.05:
                    value = np.nan  # skipped
                rows.append((f"p{pid:03d}", wave, item, value))
    pid, wave, item, value = (np.array(col, dtype=object) for col in zip(*rows, strict=True))
    return pid, wave, item, value


def pairs_from(pid, wave, item, value, name, wave_a="pre", wave_b="post"):
    a = {
        p: v for p, w, i, v in zip(pid, wave, item, value, strict=True) if w == wave_a and i == name
    }
    b = {
        p: v for p, w, i, v in zip(pid, wave, item, value, strict=True) if w == wave_b and i == name
    }
    keys = [k for k in sorted(set(a) & set(b)) if not (np.isnan(a[k]) or np.isnan(b[k]))]
    return np.array([a[k] for k in keys], float), np.array([b[k] for k in keys], float)


@pytest.fixture(scope="module")
def table():
    return long_table()


@pytest.fixture(scope="module")
def comparison(table):
    return analyze_items(*table, ITEM_TYPES, "pre", "post", answer_key=ANSWER_KEY)


def test_analyze_pairs_only_complete_answers_of_panelists_in_both_waves(table, comparison):
    for name in ITEM_TYPES:
        a, _ = pairs_from(*table, name)
        assert comparison.item(name).n_pairs == a.size


def test_analyze_binary_item_matches_statsmodels(table, comparison):
    a, b = pairs_from(*table, "support")
    t = table_of(a, b)
    exact = t[0, 1] + t[1, 0] < EXACT_MCNEMAR_LIMIT
    ref = sm_ct.mcnemar(t, exact=exact, correction=True)
    assert comparison.item("support").p_value == pytest.approx(ref.pvalue, **TOL)


def test_analyze_nominal_item_matches_statsmodels(table, comparison):
    a, b = pairs_from(*table, "option")
    ref = sm_ct.SquareTable(table_of(a, b), shift_zeros=False).homogeneity()
    assert comparison.item("option").statistic == pytest.approx(ref.statistic, **TOL)


def test_analyze_ordinal_item_matches_scipy(table, comparison):
    a, b = pairs_from(*table, "agree")
    ref = sps.wilcoxon(b, a, zero_method="wilcox")
    assert comparison.item("agree").statistic == pytest.approx(ref.statistic, **TOL)
    assert comparison.item("agree").p_value == pytest.approx(ref.pvalue, **TOL)


def test_analyze_interval_item_matches_scipy(table, comparison):
    a, b = pairs_from(*table, "trust")
    ref = sps.ttest_rel(b, a)
    assert comparison.item("trust").p_value == pytest.approx(ref.pvalue, **TOL)


def test_analyze_knowledge_item_is_mcnemar_on_correct_answers(table, comparison):
    a, b = pairs_from(*table, "k1")
    t = table_of((a == 2).astype(float), (b == 2).astype(float))
    exact = t[0, 1] + t[1, 0] < EXACT_MCNEMAR_LIMIT
    ref = sm_ct.mcnemar(t, exact=exact, correction=True)
    assert comparison.item("k1").p_value == pytest.approx(ref.pvalue, **TOL)


def test_analyze_p_adjusted_is_holm_across_items(comparison):
    p = [r.p_value for r in comparison.items]
    ref = sm_mt.multipletests(p, method="holm")[1]
    assert [r.p_adjusted for r in comparison.items] == pytest.approx(list(ref), **TOL)


def test_knowledge_index_is_share_correct_with_skips_counted_wrong(table, comparison):
    pid, wave, item, value = table
    answers = {(p, w, i): v for p, w, i, v in zip(pid, wave, item, value, strict=True)}
    present = {w: {p for p, ww in zip(pid, wave, strict=True) if ww == w} for w in ("pre", "post")}
    both = sorted(present["pre"] & present["post"])

    def index(p, w):
        return sum(answers.get((p, w, k)) == c for k, c in ANSWER_KEY.items()) / len(ANSWER_KEY)

    pre = np.array([index(p, "pre") for p in both])
    post = np.array([index(p, "post") for p in both])
    result = comparison.knowledge_index
    assert result.index_a == pytest.approx(dict(zip(both, pre, strict=True)))
    assert result.comparison.p_value == pytest.approx(sps.ttest_rel(post, pre).pvalue, **TOL)


def test_analyze_to_dict_is_strict_json_with_the_cli_fields(comparison):
    data = json.loads(json.dumps(comparison.to_dict(), allow_nan=False))
    fields = {"item", "type", "n_pairs", "test", "statistic", "p_value", "p_adjusted"}
    fields |= {"effect_size", "effect_size_name", "distributions"}
    for entry in data["items"]:
        assert fields <= entry.keys()
        assert set(entry["distributions"]) == {"pre", "post"}
    assert data["knowledge_index"]["mean"].keys() == {"pre", "post"}


def test_analyze_degenerate_items_serialise_without_nan():
    pid = np.repeat(np.arange(6), 2)
    wave = np.tile(["a", "b"], 6)
    item = np.array(["same"] * 12)
    value = np.ones(12)
    result = analyze_items(pid, wave, item, value, {"same": "nominal"}, "a", "b")
    json.dumps(result.to_dict(), allow_nan=False)
    assert result.item("same").p_value == 1.0


# --- input errors --------------------------------------------------------------------------


def test_error_unknown_wave_label(table):
    with pytest.raises(StatsError, match="unknown wave label 'after'"):
        analyze_items(*table, ITEM_TYPES, "pre", "after", answer_key=ANSWER_KEY)


def test_error_unknown_item_type(table):
    with pytest.raises(StatsError, match="item 'trust': unknown item type 'scale'"):
        analyze_items(
            *table, {**ITEM_TYPES, "trust": "scale"}, "pre", "post", answer_key=ANSWER_KEY
        )


def test_error_non_numeric_value():
    with pytest.raises(StatsError, match="non-numeric value 'yes' for item 'q', panelist 2"):
        analyze_items([1, 2], ["a", "a"], ["q", "q"], [1, "yes"], {"q": "binary"}, "a", "a")


def test_numeric_strings_and_blanks_are_accepted():
    result = analyze_items(
        [1, 1, 2, 2],
        ["a", "b", "a", "b"],
        ["q"] * 4,
        ["1", "0", "", "1"],
        {"q": "binary"},
        "a",
        "b",
    )
    assert result.item("q").n_pairs == 1


def test_error_item_missing_from_item_table(table):
    types = {k: v for k, v in ITEM_TYPES.items() if k != "agree"}
    with pytest.raises(StatsError, match="item 'agree' is missing from the item table"):
        analyze_items(*table, types, "pre", "post", answer_key=ANSWER_KEY)


def test_error_duplicate_answers():
    with pytest.raises(StatsError, match="duplicate answers for panelist 1, wave 'a', item 'q'"):
        analyze_items([1, 1], ["a", "a"], ["q", "q"], [1, 0], {"q": "binary"}, "a", "a")


def test_error_knowledge_item_without_answer():
    with pytest.raises(StatsError, match="knowledge item 'k1' has no correct answer"):
        analyze_items([1], ["a"], ["k1"], [1], {"k1": "knowledge"}, "a", "a")


def test_error_binary_item_with_other_values():
    with pytest.raises(StatsError, match="item 'q': binary answers must be 0 or 1"):
        analyze_items([1, 1], ["a", "b"], ["q", "q"], [1, 3], {"q": "binary"}, "a", "b")


# --- subgroups -----------------------------------------------------------------------------


def test_subgroup_results_equal_analysis_of_the_subgroup_alone(table):
    pid, wave, item, value = table
    group = np.array(["odd" if int(p[1:]) % 2 else "even" for p in pid], dtype=object)
    by_group = analyze_subgroups(*table, group, ITEM_TYPES, "pre", "post", answer_key=ANSWER_KEY)
    rows = group == "odd"
    alone = analyze_items(
        pid[rows],
        wave[rows],
        item[rows],
        value[rows],
        ITEM_TYPES,
        "pre",
        "post",
        answer_key=ANSWER_KEY,
    )
    assert set(by_group) == {"even", "odd"}
    assert by_group["odd"].to_dict() == alone.to_dict()


def test_subgroup_error_when_panelist_changes_group():
    with pytest.raises(StatsError, match="panelist 1 has more than one group"):
        analyze_subgroups(
            [1, 1], ["a", "b"], ["q", "q"], [1, 0], ["x", "y"], {"q": "binary"}, "a", "b"
        )


# --- attrition -----------------------------------------------------------------------------


def test_attrition_identifies_leavers():
    result = attrition([1, 2, 3, 4], [1, 3, 5], [1, 2, 3, 4, 5], {"g": ["m", "f", "m", "f", "m"]})
    assert result.leavers == (2, 4)
    assert (result.n_wave_a, result.n_stayers, result.n_leavers) == (4, 2, 2)


def test_attrition_chi_square_matches_scipy():
    rng = np.random.default_rng(12)
    ids = np.arange(300)
    region = rng.choice(["north", "south", "east"], 300)
    in_b = ids[(rng.random(300) < np.where(region == "north", 0.6, 0.9))]
    result = attrition(ids, in_b, ids, {"region": region})
    stay = np.isin(ids, in_b)
    cats = sorted(set(region))
    t = [[np.sum((region == c) & m) for c in cats] for m in (stay, ~stay)]
    ref = sps.chi2_contingency(t, correction=False)
    var = result.variables[0]
    assert var.statistic == pytest.approx(ref.statistic, **TOL)
    assert var.p_value == pytest.approx(ref.pvalue, **TOL)


def test_attrition_reports_composition_shift():
    # Wave A: 2 m, 2 f; stayers: 2 m, 0 f -> share of m moves from .5 to 1.
    result = attrition([1, 2, 3, 4], [1, 3], [1, 2, 3, 4], {"g": ["m", "f", "m", "f"]})
    assert result.variables[0].max_shift == pytest.approx(0.5)


def test_attrition_without_leavers_gives_p_one():
    result = attrition([1, 2], [1, 2], [1, 2], {"g": ["m", "f"]})
    assert (result.variables[0].statistic, result.variables[0].p_value) == (0.0, 1.0)


# --- panel vs poll -------------------------------------------------------------------------


def test_panel_vs_poll_proportion_z_uses_poll_effective_n():
    rng = np.random.default_rng(13)
    panel = rng.integers(0, 2, 300)
    poll = rng.integers(0, 2, 1000)
    w = rng.uniform(0.5, 2.0, 1000)
    result = compare_panel_to_poll(panel, poll, w)
    p1, p2 = panel.mean(), np.average(poll, weights=w)
    n_eff = w.sum() ** 2 / (w**2).sum()
    z = (p1 - p2) / math.sqrt(p1 * (1 - p1) / 300 + p2 * (1 - p2) / n_eff)
    assert result.poll_effective_n == pytest.approx(n_eff, **TOL)
    assert result.statistic == pytest.approx(z, **TOL)
    assert result.p_value == pytest.approx(2 * sps.norm.sf(abs(z)), **TOL)


def test_panel_vs_poll_mean_uses_weighted_variance():
    rng = np.random.default_rng(14)
    panel = rng.normal(6, 2, 300)
    poll = rng.normal(5.5, 2, 800)
    w = rng.uniform(0.5, 2.0, 800)
    result = compare_panel_to_poll(panel, poll, w, measure="mean")
    m2 = np.average(poll, weights=w)
    v2 = np.average((poll - m2) ** 2, weights=w)
    n_eff = w.sum() ** 2 / (w**2).sum()
    z = (panel.mean() - m2) / math.sqrt(panel.var(ddof=1) / 300 + v2 / n_eff)
    assert result.statistic == pytest.approx(z, **TOL)


def test_panel_vs_poll_rejects_unknown_measure():
    with pytest.raises(StatsError, match="unknown measure 'median'"):
        compare_panel_to_poll([1, 0], [1, 0], measure="median")
