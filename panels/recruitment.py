"""Over-recruitment: how many to draw so that enough finish, and who is expected to finish.

Plain Python, no Django. Korean deliberations draw more than they need because 70–95% of
those drawn come to every session (the 2018 college-admissions panel drew 550 for 490
finishers). When one group attends less (the young, usually), drawing it in proportion to the
population would leave it short among the finishers, so it is drawn more: its drawn count is
its finishers' target divided by its attendance rate. Other features keep their population
shares, as if attendance depended on that one feature only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


class RecruitmentError(ValueError):
    """A rate outside (0, 1] or shares that do not describe a population."""


@dataclass(frozen=True)
class ExpectedFinishers:
    """One category: how many are drawn, how many are expected to finish, and the spread."""

    feature: str
    value: str
    drawn: float
    expected: float
    sd: float

    @property
    def low(self) -> float:
        """The lower end of a 95% range (normal approximation to the binomial)."""
        return max(0.0, self.expected - 1.96 * self.sd)

    @property
    def high(self) -> float:
        return self.expected + 1.96 * self.sd


@dataclass(frozen=True)
class Recruitment:
    draw_size: int
    finishers: int
    # feature -> category -> share of the drawn panel (the quotas are derived from these).
    drawn_shares: dict[str, dict[str, float]]
    expected: tuple[ExpectedFinishers, ...]
    expected_total: float
    expected_total_sd: float

    @property
    def expected_low(self) -> float:
        return max(0.0, self.expected_total - 1.96 * self.expected_total_sd)

    @property
    def expected_high(self) -> float:
        return self.expected_total + 1.96 * self.expected_total_sd


def _check_rate(rate: float, what: str) -> None:
    if not 0 < rate <= 1:
        raise RecruitmentError(f"the attendance rate of {what} must be above 0 and at most 1")


def _normalised(values: Mapping[str, float], feature: str) -> dict[str, float]:
    total = float(sum(values.values()))
    if total <= 0 or any(v < 0 for v in values.values()):
        raise RecruitmentError(f"shares for {feature!r} must be non-negative, not all 0")
    return {k: float(v) / total for k, v in values.items()}


def plan_recruitment(
    finishers: int,
    shares: Mapping[str, Mapping[str, float]],
    rate: float,
    *,
    rate_feature: str = "",
    rates: Mapping[str, float] | None = None,
) -> Recruitment:
    """How many to draw so that ``finishers`` are expected to finish, and the drawn shares.

    ``rate`` is the overall attendance rate; ``rates`` (categories of ``rate_feature``) override
    it for those categories.
    """
    if finishers < 1:
        raise RecruitmentError("at least one panelist must finish")
    _check_rate(rate, "the panel")
    norm = {feature: _normalised(values, feature) for feature, values in shares.items()}
    rates = dict(rates or {})
    by_category: dict[str, float] = {}
    if rate_feature and rate_feature in norm:
        for value in norm[rate_feature]:
            r = float(rates.get(value, rate))
            _check_rate(r, value)
            by_category[value] = r
    if by_category:
        drawn = {v: finishers * s / by_category[v] for v, s in norm[rate_feature].items()}
        exact = sum(drawn.values())
    else:
        exact = finishers / rate
    draw_size = math.ceil(exact - 1e-9)
    drawn_shares = {feature: dict(values) for feature, values in norm.items()}
    if by_category:
        drawn_shares[rate_feature] = {v: n / exact for v, n in drawn.items()}
    # The expected attendance rate of anyone drawn, and its per-person variance.
    if by_category:
        mean_rate = sum(drawn_shares[rate_feature][v] * r for v, r in by_category.items())
        mean_var = sum(drawn_shares[rate_feature][v] * r * (1 - r) for v, r in by_category.items())
    else:
        mean_rate, mean_var = rate, rate * (1 - rate)
    expected = []
    for feature, values in drawn_shares.items():
        for value, share in values.items():
            n = share * draw_size
            if feature == rate_feature and by_category:
                r = by_category[value]
                e, var = n * r, n * r * (1 - r)
            else:
                e, var = n * mean_rate, n * mean_var
            expected.append(ExpectedFinishers(feature, value, n, e, math.sqrt(var)))
    return Recruitment(
        draw_size,
        finishers,
        drawn_shares,
        tuple(expected),
        draw_size * mean_rate,
        math.sqrt(draw_size * mean_var),
    )
