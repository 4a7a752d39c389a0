"""Panel waves weighted to the first-stage poll (Shin-Kori 2017): deff, n_eff, weighted shares."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import analysis_document
from surveys.answer_sets import PollItems
from surveys.panel_weights import weight_wave
from surveys.weighting import margin_of_error
from tests.deliberation.report.test_report import report_data, synthetic_waves


def _panel_and_poll(headline: str | None):
    waves = synthetic_waves(n=60)
    # 42 of 60 panelists are women; the weighted poll is half and half.
    gender = {f"P{k:03d}": ("여성" if k < 42 else "남성") for k in range(60)}
    waves = dataclasses.replace(waves, demographics={"gender": gender}, headline=headline)
    rng = np.random.default_rng(9)
    n = 400
    poll = PollItems(
        wave="poll",
        values={"trust": rng.integers(1, 6, n).astype(float), "support": rng.random(n) < 0.3},
        weights=np.where(np.arange(n) < 100, 2.0, 2 / 3),  # 100 women weighted to 200 of 400
        groups={"gender": ["여성"] * 100 + ["남성"] * 300},
    )
    return waves, poll


def test_each_wave_is_raked_to_the_weighted_poll_gender_with_kish_diagnostics():
    waves, poll = _panel_and_poll(headline=None)
    result = analyse(report_data(waves=waves, poll_items=poll))
    assert [w.wave for w in result.panel_weights] == ["W1", "W2", "W3"]
    first = result.panel_weights[0]
    support = next(s for s in first.shares if s.item == "support")
    women = [waves.answers.value[k] for k in range(len(waves.answers)) if _is(waves, k, "W1")]
    values = np.array(women)
    assert support.unweighted == pytest.approx(values.mean())
    assert support.weighted == pytest.approx(0.5 * values[:42].mean() + 0.5 * values[42:].mean())
    assert first.n == 60 and first.design_effect > 1
    assert first.effective_n == pytest.approx(60 / first.design_effect)
    assert first.margin_of_error == pytest.approx(margin_of_error(first.effective_n))


def _is(waves, k: int, wave: str) -> bool:
    return waves.answers.wave[k] == wave and waves.answers.item[k] == "support"


def test_initial_opinion_is_weighted_to_the_poll_answers_of_the_headline_item():
    waves, poll = _panel_and_poll(headline="trust")
    result = analyse(report_data(waves=waves, poll_items=poll))
    trust = next(s for s in result.panel_weights[0].shares if s.item == "trust")
    agree = poll.values["trust"] > 3
    expected = float(np.dot(poll.weights, agree) / poll.weights.sum())
    assert trust.weighted == pytest.approx(expected, abs=1e-6)
    assert trust.unweighted != pytest.approx(expected, abs=1e-3)


def test_panelists_without_a_weighting_variable_are_left_out_of_n():
    result = weight_wave(
        "W1",
        ["a", "b", "c"],
        {"gender": {"a": "F", "b": "M"}},
        {"gender": {"F": 0.5, "M": 0.5}},
        {},
    )
    assert (result.respondents, result.n, result.design_effect) == (3, 2, pytest.approx(1.0))


def test_panel_weights_are_in_the_json():
    waves, poll = _panel_and_poll(headline="trust")
    document = analysis_document(analyse(report_data(waves=waves, poll_items=poll)))
    row = document["panel_weights"][0]
    assert set(row) >= {"wave", "n", "design_effect", "effective_n", "margin_of_error", "shares"}
    assert {"item", "n", "unweighted", "weighted"} <= set(row["shares"][0])


def test_page_shows_design_effect_and_weighted_shares():
    from django.utils import translation

    from deliberation.report.document import report_context

    waves, poll = _panel_and_poll(headline="trust")
    analysis = analyse(report_data(waves=waves, poll_items=poll))
    with translation.override("en"):
        context = report_context(analysis, for_pdf=True)
    first = context["panel_weights"][0]
    assert first["n"] == 60 and first["moe"].startswith("±")
    assert {s["label"] for s in first["shares"]} >= {"소각장 건립 찬성", "시 행정 신뢰"}
