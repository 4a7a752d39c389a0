"""Wave answers in wide format as an SPSS .sav file, with variable and value labels.

Analysts who re-run the numbers in SPSS or R expect one row per panelist and one column per
(item, wave). Plain Python (pandas + pyreadstat, no Django): it takes the same long table the
statistics use, whether it came from a CSV file or from the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from surveys.wave_files import ItemSpec, LongAnswers

MEASURE = {
    "binary": "nominal",
    "nominal": "nominal",
    "knowledge": "nominal",
    "ordinal": "ordinal",
    "interval": "scale",
}
_NOT_ALLOWED = re.compile(r"[^0-9A-Za-z_.@#$\uac00-\ud7a3]")
MAX_NAME_BYTES = 64


def spss_name(text: str, taken: set[str]) -> str:
    """A valid, unique SPSS variable name: starts with a letter, no spaces, <= 64 bytes."""
    name = _NOT_ALLOWED.sub("_", text).strip(".")
    if not name or not (name[0].isalpha() or name[0] in "@#$"):
        name = "v" + name
    if name[0] in "#$":
        name = "v" + name
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    base, n = name, 1
    while name.lower() in taken:
        n += 1
        suffix = f"_{n}"
        stem = base
        while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
            stem = stem[:-1]
        name = stem + suffix
    taken.add(name.lower())
    return name


def wide_frame(
    answers: LongAnswers,
    items: Mapping[str, ItemSpec],
    waves: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[float, str]], dict[str, str]]:
    """One row per panelist, one column per (item, wave) answered; with labels per column."""
    wave_order = list(waves) if waves is not None else list(answers.waves)
    panelists = list(dict.fromkeys(answers.panelist_id))
    row_of = {p: k for k, p in enumerate(panelists)}
    present = set(zip(answers.item, answers.wave, strict=True))
    taken = {"panelist_id"}
    columns: dict[tuple[str, str], str] = {}
    for wave in wave_order:
        for name in items:
            if (name, wave) in present:
                columns[(name, wave)] = spss_name(f"{name}_{wave}", taken)
    data = {col: np.full(len(panelists), np.nan) for col in columns.values()}
    for p, w, i, v in zip(
        answers.panelist_id, answers.wave, answers.item, answers.value, strict=True
    ):
        col = columns.get((i, w))
        if col is not None:
            data[col][row_of[p]] = v
    frame = pd.DataFrame({"panelist_id": panelists, **data})
    labels = {"panelist_id": "Panelist (pseudonym)"}
    value_labels: dict[str, dict[float, str]] = {}
    measures = {"panelist_id": "nominal"}
    for (name, wave), col in columns.items():
        spec = items[name]
        labels[col] = f"{spec.label or name} ({wave})"
        measures[col] = MEASURE[spec.type]
        if spec.value_labels:
            value_labels[col] = dict(spec.value_labels)
        elif spec.type == "binary":
            value_labels[col] = {0.0: "no", 1.0: "yes"}
    return frame, labels, value_labels, measures


def write_waves_sav(
    answers: LongAnswers,
    items: Mapping[str, ItemSpec],
    path: str | Path,
    waves: Sequence[str] | None = None,
) -> list[str]:
    """Write the wide table to ``path`` as .sav; returns the variable names written."""
    frame, labels, value_labels, measures = wide_frame(answers, items, waves)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[labels[c] for c in frame.columns],
        variable_value_labels=value_labels,
        variable_measure=measures,
    )
    return list(frame.columns)
