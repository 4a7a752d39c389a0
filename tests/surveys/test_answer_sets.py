"""The poll's weighted answer shares, with the Kish margin of error."""

from __future__ import annotations

import numpy as np
import pytest

from surveys.answer_sets import poll_question

TOL = dict(rel=1e-9, abs=1e-12)


def test_poll_question_uses_weights_and_kish_margin_of_error():
    answers = ["찬성"] * 60 + ["반대"] * 40
    weights = [2.0] * 30 + [1.0] * 70
    q = poll_question("소각장 건립", answers, weights)
    yes = next(o for o in q.options if o.label == "찬성")
    assert yes.estimate == pytest.approx(90 / 130, **TOL)
    n_eff = 130**2 / (30 * 4 + 70)
    assert q.effective_n == pytest.approx(n_eff, **TOL)
    assert yes.margin_of_error == pytest.approx(
        1.959963984540054 * np.sqrt(yes.estimate * (1 - yes.estimate) / n_eff), rel=1e-9
    )
