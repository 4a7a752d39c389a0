"""The analysis document: a wave comparison as JSON, the one shape the CLI and report share.

No Django: the ``analyze_waves`` command, the policy report and the benchmark all go
through ``compare_waves`` and ``comparison_document``. The shape is documented in
docs/analysis-schema.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveys.stats import StatsError, WaveComparison, analyze_items
from surveys.wave_files import ItemSpec, LongAnswers

SCHEMA_VERSION = "gongnon.analysis/1"


def check_wave(answers: LongAnswers, wave: str, option: str = "wave") -> None:
    """Refuse a wave label that has no answers, naming the waves that do."""
    if wave not in answers.waves:
        present = ", ".join(answers.waves) or "none"
        raise StatsError(f"unknown {option} {wave!r}: the answers have waves {present}")


def compare_waves(
    answers: LongAnswers, items: Mapping[str, ItemSpec], wave_a: str, wave_b: str
) -> WaveComparison:
    """Paired comparison of every item between two waves (Holm across the items)."""
    check_wave(answers, wave_a)
    check_wave(answers, wave_b)
    if wave_a == wave_b:
        raise StatsError(f"compare two different waves, not {wave_a!r} with itself")
    answer_key = {name: spec.correct for name, spec in items.items() if spec.correct is not None}
    ids, waves, names = answers.arrays
    return analyze_items(
        ids,
        waves,
        names,
        answers.value,
        {name: spec.type for name, spec in items.items()},
        wave_a,
        wave_b,
        answer_key=answer_key or None,
    )


def comparison_dict(
    comparison: WaveComparison, items: Mapping[str, ItemSpec], answers: LongAnswers
) -> dict[str, Any]:
    """One comparison as a JSON-ready dict: items with labels, panel counts per wave."""
    in_a = answers.panelists_in(comparison.wave_a)
    in_b = answers.panelists_in(comparison.wave_b)
    body = comparison.to_dict()
    for entry in body["items"]:
        spec = items.get(entry["item"])
        entry["label"] = spec.label if spec and spec.label else entry["item"]
    return {
        "wave_a": comparison.wave_a,
        "wave_b": comparison.wave_b,
        "n_panelists": {
            comparison.wave_a: len(in_a),
            comparison.wave_b: len(in_b),
            "both": len(in_a & in_b),
        },
        "items": body["items"],
        "knowledge_index": body["knowledge_index"],
    }


def comparison_document(
    comparison: WaveComparison, items: Mapping[str, ItemSpec], answers: LongAnswers
) -> dict[str, Any]:
    """The CLI's output: one comparison with the schema version on top."""
    return {
        "schema": SCHEMA_VERSION,
        "kind": "wave_comparison",
        **comparison_dict(comparison, items, answers),
    }
