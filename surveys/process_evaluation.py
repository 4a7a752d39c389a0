"""The panelists' own evaluation of the process, as Korean deliberations publish it.

The last panel wave asks, on a five-point agree scale, whether the process was fair, the
materials balanced, the facilitation good, and whether they would accept a result against
their view. Those questions carry the codes ``E1``..``E4`` (any ``E`` + number), so no
schema change is needed and they stay out of the wave-to-wave comparisons.
Plain arrays in, results out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EVALUATION_CODE = re.compile(r"^E\d+$")
# Answers 4 and 5 of the 1-5 agree scale count as agreeing.
AGREE_FROM = 4.0


def is_evaluation_item(code: str) -> bool:
    return bool(EVALUATION_CODE.match(code))


@dataclass(frozen=True)
class EvaluationResult:
    item: str
    label: str
    n: int
    agree_share: float
    mean: float


def evaluate_item(item: str, label: str, values: Sequence[float]) -> EvaluationResult | None:
    """Share agreeing (4-5), mean and n of one item; None when nobody answered."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return None
    return EvaluationResult(
        item, label, int(x.size), float(np.mean(x >= AGREE_FROM)), float(x.mean())
    )
