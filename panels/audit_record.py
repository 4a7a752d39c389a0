"""The audit record of a draw as plain JSON, and its independent verification.

A record holds the inputs (volunteer ids with their quota features, the quotas, the panel
size), their digest, the lottery of M panels, the public number, the panel drawn, the
ordered reserve list drawn with it and any replacements (from the pool, or from the
reserves in batches). `verify_record` recomputes everything that can be recomputed and lists each
disagreement, so a changed input, lottery, number or panel is caught.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from panels import lottery as lottery_core
from panels import reserves as reserves_core
from panels import selection

RECORD_FORMAT = "gongnon-selection-audit/1"


def problem_from_inputs(inputs: dict[str, Any]) -> selection.Problem:
    quotas = [selection.Quota(f, v, int(lo), int(hi)) for f, v, lo, hi in inputs["quotas"]]
    people = [{"id": pid, **features} for pid, features in inputs["people"].items()]
    return selection.Problem.from_people(people, quotas, int(inputs["panel_size"]))


def lottery_to_json(lottery: lottery_core.Lottery) -> dict[str, Any]:
    return {
        "size": lottery.size,
        "types": [list(p) for p in lottery.problem.profiles],
        "features": list(lottery.problem.features),
        "panels": lottery.panels.astype(int).tolist(),
        "type_probabilities": lottery.type_probabilities.tolist(),
        "leximin_probabilities": lottery.leximin_probabilities.tolist(),
    }


def lottery_from_json(data: dict[str, Any], problem: selection.Problem) -> lottery_core.Lottery:
    """Rebuild a lottery; its types must be the problem's types, in the same order."""
    if [tuple(t) for t in data["types"]] != list(problem.profiles):
        raise ValueError("the lottery's volunteer types do not match the inputs")
    return lottery_core.Lottery(
        problem,
        np.asarray(data["panels"], dtype=np.int64),
        np.asarray(data["type_probabilities"], dtype=float),
        np.asarray(data["leximin_probabilities"], dtype=float),
    )


def lottery_person_probabilities(lottery: lottery_core.Lottery) -> dict[str, float]:
    """Each volunteer's chance under the lottery: share of panels with their type, per member."""
    n_t = lottery.problem.type_sizes.astype(float)
    probs = lottery.panels.mean(axis=0) / n_t
    return {pid: float(probs[t]) for t, ids in enumerate(lottery.problem.members) for pid in ids}


def digest_of(data: Any) -> str:
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_record(record: dict[str, Any]) -> Verification:
    """Recompute digest, lottery validity, probabilities, the draw, the reserves and each
    replacement."""
    out = Verification()
    try:
        problem = problem_from_inputs(record["inputs"])
    except (KeyError, TypeError, ValueError) as exc:
        out.problems.append(f"The inputs cannot be read: {exc}")
        return out
    digest = selection.inputs_digest(problem)
    if digest != record.get("inputs_digest"):
        out.problems.append(
            f"Inputs digest {digest} differs from the recorded {record.get('inputs_digest')}."
        )
    else:
        out.checks.append(f"Inputs digest {digest} matches.")
    if digest_of(record.get("lottery")) != record.get("lottery_digest"):
        out.problems.append("The lottery differs from the one recorded at the draw.")
    try:
        lottery = lottery_from_json(record["lottery"], problem)
    except (KeyError, TypeError, ValueError) as exc:
        out.problems.append(f"The lottery cannot be read: {exc}")
        return out
    bad = [i for i, x in enumerate(lottery.panels) if not problem.counts_meet_quotas(x)]
    if bad:
        out.problems.append(f"{len(bad)} lottery panels break a quota (first: #{bad[0]}).")
    else:
        out.checks.append(f"All {lottery.size} lottery panels meet every quota.")
    probabilities = lottery_person_probabilities(lottery)
    recorded = record.get("probabilities") or {}
    if set(recorded) != set(probabilities) or any(
        abs(recorded[p] - probabilities[p]) > 1e-9 for p in probabilities
    ):
        out.problems.append("The recorded selection probabilities do not follow from the lottery.")
    else:
        out.checks.append("Selection probabilities follow from the lottery.")
    number = int(record["public_number"])
    panel = lottery_core.draw(lottery, number)
    if panel != list(record.get("panel", [])):
        out.problems.append(f"Drawing with public number {number} gives a different panel.")
    else:
        out.checks.append(f"Public number {number} draws the recorded panel of {len(panel)}.")
    recorded_reserves = list(record.get("reserves") or [])
    reserves = list(
        reserves_core.draw_reserves(problem, panel, number, len(recorded_reserves)).order
    )
    if reserves != recorded_reserves:
        out.problems.append(
            f"Public number {number} gives a different list of {len(recorded_reserves)} reserves."
        )
    elif reserves:
        out.checks.append(f"Public number {number} draws the recorded {len(reserves)} reserves.")
    current = list(panel)
    declined: list[str] = []
    seated: list[str] = []
    for i, step in enumerate(record.get("replacements", []), start=1):
        from_reserves = step.get("source") == "reserves"
        try:
            if from_reserves:
                again = reserves_core.next_reserve(
                    problem, current, recorded_reserves, step["dropped"], declined + seated
                )
            else:
                again = lottery_core.replacement(
                    problem,
                    current,
                    step["dropped"],
                    int(step["seed"]),
                    exclude=step.get("exclude", declined),
                )
        except (KeyError, ValueError) as exc:
            out.problems.append(f"Replacement {i} cannot be recomputed: {exc}")
            break
        if again != step["replacement"]:
            out.problems.append(
                f"Replacement {i}: recomputation gives {again}, not {step['replacement']}."
            )
            break
        declined.append(step["dropped"])
        seated.append(again)
        current = [p for p in current if p != step["dropped"]] + [again]
        source = f" from the reserves (batch {step.get('batch')})" if from_reserves else ""
        out.checks.append(f"Replacement {i} ({step['dropped']} -> {again}){source} recomputed.")
    return out
