"""Weighting the panel to the poll: the poll's weighted distribution of a variable."""

from __future__ import annotations

import pytest

from surveys.panel_weights import weighted_distribution


def test_weighted_distribution_uses_the_poll_weights():
    shares = weighted_distribution(["a", "b", "b", ""], [3.0, 1.0, 2.0, 5.0])
    assert shares == pytest.approx({"a": 0.5, "b": 0.5})
