"""How well a sample's make-up matches the population: shares and a chi-square fit test.

Used to show the panel's representativeness against the population margins. No Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scipy import stats as sps


@dataclass(frozen=True)
class CategoryFit:
    """One category: population share, sample count and share (shares 0-1)."""

    category: str
    population_share: float
    sample_count: int
    sample_share: float
    expected_count: float

    @property
    def difference(self) -> float:
        return self.sample_share - self.population_share


@dataclass(frozen=True)
class CompositionFit:
    """Chi-square goodness of fit of the sample's categories to the population shares.

    Sample members in categories absent from the population margins are counted in
    ``unmatched`` and left out of the test (their share of the sample is reported).
    """

    feature: str
    categories: tuple[CategoryFit, ...]
    n: int
    unmatched: int
    statistic: float | None
    df: int
    p_value: float | None
    max_abs_difference: float

    def to_dict(self) -> dict:
        return {
            "feature": self.feature,
            "n": self.n,
            "unmatched": self.unmatched,
            "test": "chi2_goodness_of_fit",
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "max_abs_difference": self.max_abs_difference,
            "categories": [
                {
                    "category": c.category,
                    "population_share": c.population_share,
                    "sample_count": c.sample_count,
                    "sample_share": c.sample_share,
                    "expected_count": c.expected_count,
                }
                for c in self.categories
            ],
        }


def composition_fit(
    feature: str, population_shares: Mapping[str, float], sample: Iterable[str]
) -> CompositionFit:
    """Compare a sample's categories with population shares (renormalised to sum to 1)."""
    shares = {str(k): float(v) for k, v in population_shares.items()}
    total_share = sum(shares.values())
    if not shares or total_share <= 0:
        raise ValueError(f"feature {feature!r} has no population shares")
    if any(v < 0 for v in shares.values()):
        raise ValueError(f"feature {feature!r} has a negative population share")
    counts = Counter(str(v) for v in sample)
    matched = sum(counts[c] for c in shares)
    unmatched = sum(counts.values()) - matched
    rows = tuple(
        CategoryFit(
            category=c,
            population_share=s / total_share,
            sample_count=counts[c],
            sample_share=counts[c] / matched if matched else 0.0,
            expected_count=matched * s / total_share,
        )
        for c, s in shares.items()
    )
    tested = [r for r in rows if r.expected_count > 0]
    if matched == 0 or len(tested) < 2 or any(r.sample_count for r in rows if not r.expected_count):
        statistic = p_value = None
        df = 0
    else:
        result = sps.chisquare(
            [r.sample_count for r in tested], f_exp=[r.expected_count for r in tested]
        )
        statistic, p_value, df = float(result.statistic), float(result.pvalue), len(tested) - 1
    return CompositionFit(
        feature=feature,
        categories=rows,
        n=matched,
        unmatched=unmatched,
        statistic=statistic,
        df=df,
        p_value=p_value,
        max_abs_difference=max((abs(r.difference) for r in rows), default=0.0),
    )
