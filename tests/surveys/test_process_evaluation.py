"""The panelists' evaluation of the process: which items are evaluation items, their shares."""

from __future__ import annotations

import pytest

from surveys.process_evaluation import evaluate_item, is_evaluation_item

FAIR = "The deliberation process was fair."


def test_share_agreeing_counts_4_and_5_with_mean_and_n_ignoring_skips():
    result = evaluate_item("E1", FAIR, [5, 4, 3, 2, float("nan"), 4])
    assert (result.n, result.agree_share, result.mean) == (5, pytest.approx(0.6), 3.6)


def test_only_e_and_a_number_are_evaluation_codes():
    assert is_evaluation_item("E1") and is_evaluation_item("E12")
    assert not is_evaluation_item("Q1") and not is_evaluation_item("E1_a")
