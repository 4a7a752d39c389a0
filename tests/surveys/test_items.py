"""The answer rules, one behaviour per test, without the database."""

from surveys import items
from surveys.items import QuestionSpec


def get_from(data):
    def get(name):
        value = data.get(name, [])
        return value if isinstance(value, list) else [value]

    return get


SINGLE = QuestionSpec("Q1", "single", options=(1, 2))
MULTI = QuestionSpec(
    "Q2", "multiple", options=(1, 2, 3), max_choices=2, show_if_code="Q1", show_if_values=(1,)
)
LIKERT = QuestionSpec("Q3", "likert", options=(1, 2, 3, 4, 5))
SCALE = QuestionSpec("Q4", "scale10")
NUMBER = QuestionSpec("Q5", "numeric", min_value=0, max_value=20)
SHORT = QuestionSpec("Q6", "short_text", required=False)
LONG = QuestionSpec("Q7", "long_text", required=False)
KNOW = QuestionSpec("Q8", "knowledge", options=(1, 2, 9), correct=(1,))
GRID = QuestionSpec("Q9", "grid", options=(1, 2, 3, 4, 5), grid_items=("a", "b"))


def parse_one(spec, data, **kw):
    return items.parse([spec], get_from(data), **kw)


def test_single_choice_stores_the_code():
    assert parse_one(SINGLE, {"Q1": "2"}).values == {"Q1": 2.0}


def test_single_choice_refuses_an_unknown_code():
    assert parse_one(SINGLE, {"Q1": "3"}).problems["Q1"].code == "unknown_code"


def test_multiple_choice_stores_one_dummy_per_option():
    parsed = items.parse([SINGLE, MULTI], get_from({"Q1": "1", "Q2": ["1", "3"]}))
    assert parsed.values == {"Q1": 1.0, "Q2_1": 1.0, "Q2_2": 0.0, "Q2_3": 1.0}


def test_multiple_choice_refuses_more_than_the_maximum():
    parsed = items.parse([SINGLE, MULTI], get_from({"Q1": "1", "Q2": ["1", "2", "3"]}))
    assert parsed.problems["Q2"].code == "too_many_choices"


def test_likert_accepts_scale_points_only():
    assert parse_one(LIKERT, {"Q3": "5"}).values == {"Q3": 5.0}
    assert parse_one(LIKERT, {"Q3": "6"}).problems["Q3"].code == "unknown_code"


def test_scale_0_10_accepts_0_to_10():
    assert parse_one(SCALE, {"Q4": "0"}).values == {"Q4": 0.0}
    assert parse_one(SCALE, {"Q4": "10"}).values == {"Q4": 10.0}
    assert parse_one(SCALE, {"Q4": "11"}).problems["Q4"].code == "unknown_code"
    assert parse_one(SCALE, {"Q4": "5.5"}).problems["Q4"].code == "not_a_code"


def test_numeric_checks_the_range():
    assert parse_one(NUMBER, {"Q5": "12.5"}).values == {"Q5": 12.5}
    assert parse_one(NUMBER, {"Q5": "21"}).problems["Q5"].code == "out_of_range"
    assert parse_one(NUMBER, {"Q5": "abc"}).problems["Q5"].code == "not_a_number"
    assert parse_one(NUMBER, {"Q5": "nan"}).problems["Q5"].code == "not_a_number"


def test_short_text_is_limited_in_length():
    assert parse_one(SHORT, {"Q6": " 재활용 "}).values == {"Q6": "재활용"}
    assert parse_one(SHORT, {"Q6": "x" * 201}).problems["Q6"].code == "too_long"


def test_long_text_is_optional_when_not_required():
    assert parse_one(LONG, {}).is_valid
    assert parse_one(LONG, {"Q7": "긴 의견"}).values == {"Q7": "긴 의견"}


def test_knowledge_answers_are_scored_against_the_correct_option():
    value = parse_one(KNOW, {"Q8": "1"}).values["Q8"]
    assert items.score_knowledge(KNOW, value) == 1
    assert items.score_knowledge(KNOW, 9.0) == 0
    assert items.score_knowledge(KNOW, None) is None


def test_grid_stores_one_item_per_row():
    assert parse_one(GRID, {"Q9_a": "1", "Q9_b": "5"}).values == {"Q9_a": 1.0, "Q9_b": 5.0}


def test_required_grid_needs_every_row():
    assert parse_one(GRID, {"Q9_a": "1"}).problems["Q9"].code == "grid_incomplete"


def test_required_question_left_empty_is_a_problem():
    assert parse_one(SINGLE, {}).problems["Q1"].code == "required"


def test_partial_parse_allows_missing_required_answers():
    assert parse_one(SINGLE, {}, partial=True).is_valid


def test_hidden_question_is_neither_required_nor_stored():
    parsed = items.parse([SINGLE, MULTI], get_from({"Q1": "2", "Q2": ["1"]}))
    assert parsed.is_valid
    assert parsed.values == {"Q1": 2.0}
    assert parsed.shown == ["Q1"]


def test_shown_question_is_required():
    parsed = items.parse([SINGLE, MULTI], get_from({"Q1": "1"}))
    assert parsed.problems["Q2"].code == "required"


def test_show_if_on_a_multiple_choice_looks_at_the_dummies():
    follow = QuestionSpec("Q3", "single", options=(1, 2), show_if_code="Q2", show_if_values=(3,))
    get = get_from({"Q1": "1", "Q2": ["1"], "Q3": "1"})
    assert items.parse([SINGLE, MULTI, follow], get).values.get("Q3") is None
    get = get_from({"Q1": "1", "Q2": ["3"], "Q3": "1"})
    assert items.parse([SINGLE, MULTI, follow], get).values["Q3"] == 1.0


def test_file_rows_give_multiple_choices_as_dummy_columns():
    get = items.getter_for_row([SINGLE, MULTI], {"Q1": "1", "Q2_1": "1", "Q2_2": "0", "Q2_3": "1"})
    assert items.parse([SINGLE, MULTI], get).values["Q2_3"] == 1.0


def test_file_rows_refuse_a_dummy_other_than_0_or_1():
    get = items.getter_for_row([SINGLE, MULTI], {"Q1": "1", "Q2_1": "2"})
    assert items.parse([SINGLE, MULTI], get).problems["Q2"].code == "not_a_code"


def test_rows_checked_with_one_memo_each_get_their_own_answers_and_problems():
    specs = [SINGLE, MULTI, LIKERT, NUMBER, SHORT, GRID]
    rows = [
        {"Q1": "1", "Q2": ["1", "3"], "Q3": "4", "Q5": "3", "Q6": "a", "Q9_a": "2", "Q9_b": "5"},
        {"Q1": "2", "Q3": "4", "Q5": "30", "Q6": "b", "Q9_a": "2", "Q9_b": "5"},
        {"Q1": "1", "Q2": ["1", "3"], "Q3": "9", "Q5": "3", "Q9_a": "2", "Q9_b": "5"},
        {"Q1": "1", "Q2": ["1", "3"], "Q3": "4", "Q5": "3", "Q6": "a", "Q9_a": "2", "Q9_b": "5"},
    ]
    memo: dict = {}
    with_memo = [items.parse(specs, get_from(row), memo=memo) for row in rows]
    without = [items.parse(specs, get_from(row)) for row in rows]
    assert [(p.values, p.problems, p.shown) for p in with_memo] == [
        (p.values, p.problems, p.shown) for p in without
    ]
    assert with_memo[1].problems["Q5"].code == "out_of_range" and with_memo[1].values["Q6"] == "b"
    assert with_memo[2].problems["Q3"].code == "unknown_code"
    assert memo and with_memo[0].values is not with_memo[3].values
