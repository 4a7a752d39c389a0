"""The panel's and the poll's answers in the shapes the statistics take.

Plain dataclasses, no Django: surveys.wave_data fills them from the database, the report
(deliberation.report) analyses them, and tests and benchmarks build them directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from surveys.wave_files import ItemSpec, LongAnswers
from surveys.weighting import weighted_proportions


@dataclass(frozen=True)
class PollOption:
    label: str
    estimate: float
    margin_of_error: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PollQuestion:
    """A poll question's weighted answer shares; the margin of error uses the Kish n."""

    question: str
    n: int
    effective_n: float
    options: tuple[PollOption, ...]


@dataclass(frozen=True)
class PollResults:
    wave: str
    respondents: int
    weighting: str
    design_effect: float
    effective_n: float
    questions: tuple[PollQuestion, ...] = ()


@dataclass(frozen=True)
class WaveData:
    """The panel's answers to the repeated questions, long format, waves in time order."""

    answers: LongAnswers
    items: Mapping[str, ItemSpec]
    waves: tuple[str, ...]
    wave_titles: Mapping[str, str] = field(default_factory=dict)
    # stratum (panels.strata.STRATA) -> panelist id -> category
    demographics: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The headline opinion item: its first-wave answer is a weighting variable. Chosen by
    # the analysts (``headline_chosen``) or, by default, the first agree-disagree or yes/no item.
    headline: str | None = None
    headline_chosen: bool = False

    def title(self, wave: str) -> str:
        return self.wave_titles.get(wave, wave)


@dataclass(frozen=True)
class PollItems:
    """The poll's answers to the items the panel also answered, coded as the panel's.

    One value per complete respondent (NaN = no answer), aligned with ``weights``.
    """

    wave: str
    values: Mapping[str, np.ndarray]
    weights: np.ndarray | None = None
    # stratum (panels.strata.STRATA) -> one category per respondent ('' = unknown)
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)


def poll_question(
    question: str,
    answers: Sequence[str],
    weights: Sequence[float] | None = None,
    order: Sequence[str] | None = None,
) -> PollQuestion:
    """Weighted shares of each answer to one poll question ('' = no answer, left out)."""
    labels = np.asarray(answers, dtype=object)
    keep = labels != ""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[keep]
    estimates = weighted_proportions(labels[keep], w)
    first = next(iter(estimates.values()))
    names = list(order) if order is not None else list(estimates)
    return PollQuestion(
        question=question,
        n=first.n,
        effective_n=first.effective_n,
        options=tuple(
            PollOption(
                label=str(name),
                estimate=estimates[name].estimate,
                margin_of_error=estimates[name].margin_of_error,
                ci_low=estimates[name].ci_low,
                ci_high=estimates[name].ci_high,
            )
            for name in names
            if name in estimates
        ),
    )
