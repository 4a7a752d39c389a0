import pytest

from panels.funnel import FunnelStep, count_step, funnel_table


def test_retention_from_previous_and_from_first_step():
    table = funnel_table(
        [
            FunnelStep("poll", "Poll", 1000),
            FunnelStep("volunteers", "Volunteers", 200),
            FunnelStep("drawn", "Drawn", 50),
            FunnelStep("confirmed", "Confirmed", 40),
        ]
    )
    assert [r.count for r in table.rows] == [1000, 200, 50, 40]
    assert [r.from_previous for r in table.rows] == [None, 0.2, 0.25, 0.8]
    assert [r.from_first for r in table.rows] == [None, 0.2, 0.05, 0.04]


def test_by_stratum_every_category_of_any_step_with_zeros_where_missing():
    table = funnel_table(
        [
            FunnelStep("poll", "Poll", 10, {"gender": {"m": 6, "f": 4}}),
            FunnelStep("drawn", "Drawn", 3, {"gender": {"f": 3}, "opinion": {"yes": 3}}),
        ]
    )
    assert list(table.strata) == ["gender", "opinion"]
    men = table.strata["gender"]["m"]
    assert [r.count for r in men] == [6, 0]
    assert men[1].from_previous == 0.0
    women = table.strata["gender"]["f"]
    assert women[1].from_first == pytest.approx(0.75)
    # The poll did not record opinion: no rate over a step of 0.
    assert [r.from_previous for r in table.strata["opinion"]["yes"]] == [None, None]


def test_count_step_counts_each_feature_and_skips_missing_values():
    step = count_step(
        "volunteers",
        "Volunteers",
        [
            {"region": "A", "gender": "m"},
            {"region": "A", "gender": "f", "opinion": "yes"},
            {"region": "B", "gender": ""},
        ],
        ("region", "gender", "opinion"),
    )
    assert step.total == 3
    assert step.by_stratum == {
        "region": {"A": 2, "B": 1},
        "gender": {"m": 1, "f": 1},
        "opinion": {"yes": 1},
    }


def test_an_empty_funnel_has_no_rows():
    assert funnel_table([]).is_empty


def test_categories_follow_the_deliberations_order_and_unknown_ones_follow_as_seen():
    people = [{"age_band": a} for a in ("60+", "30-39", "x", "18-29", "60+")]
    step = count_step(
        "drawn", "Drawn", people, ("age_band",), {"age_band": ["18-29", "30-39", "60+"]}
    )
    assert list(step.by_stratum["age_band"]) == ["18-29", "30-39", "60+", "x"]
    assert list(funnel_table([step]).strata["age_band"]) == ["18-29", "30-39", "60+", "x"]
