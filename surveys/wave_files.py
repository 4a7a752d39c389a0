"""Wave answers and item definitions read from CSV files (e.g. keyed-in paper questionnaires).

Plain Python, no Django: the ``analyze_waves`` command and tests call it directly, and the
report builds the same ``LongAnswers``/``ItemSpec`` objects from the database.

ANSWERS.csv: ``panelist_id,wave,item,value`` -- one row per answer, long format. An empty
value is a skipped question. ITEMS.csv: ``item,type,correct`` (correct only for knowledge
items), optionally ``label`` and ``value_labels`` (``1=반대;2=찬성``) for the SPSS export.
Every problem is reported with the file, line and column it is on.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from surveys.stats import ITEM_TYPES

ANSWER_COLUMNS = ("panelist_id", "wave", "item", "value")
ITEM_COLUMNS = ("item", "type", "correct")


class WaveFileError(ValueError):
    """A malformed answers or items file; the message names the file, line and column."""


@dataclass(frozen=True)
class ItemSpec:
    """What one item is: its type, the right answer (knowledge items) and its labels."""

    item: str
    type: str
    correct: float | None = None
    label: str = ""
    value_labels: dict[float, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LongAnswers:
    """Answers in long format: one entry per (panelist, wave, item); NaN = skipped."""

    panelist_id: list[str]
    wave: list[str]
    item: list[str]
    value: NDArray[np.float64]

    @cached_property
    def waves(self) -> tuple[str, ...]:
        """Wave labels in order of first appearance."""
        return tuple(dict.fromkeys(self.wave))

    @cached_property
    def arrays(self) -> tuple[NDArray[np.str_], NDArray[np.str_], NDArray[np.str_]]:
        """panelist_id, wave and item as numpy string arrays (fast to sort and compare)."""
        return (
            np.asarray(self.panelist_id, dtype=str),
            np.asarray(self.wave, dtype=str),
            np.asarray(self.item, dtype=str),
        )

    def panelists_in(self, wave: str) -> set[str]:
        ids, waves, _ = self.arrays
        return set(np.unique(ids[waves == wave]).tolist())

    def __len__(self) -> int:
        return len(self.panelist_id)


def _rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise WaveFileError(f"{name}: cannot open ({exc.strerror})") from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise WaveFileError(f"{name} is empty: expected a header {','.join(required)}")
            header = [h.strip() for h in header]
            reader.fieldnames = header
            missing = [c for c in required if c not in header]
            if missing:
                raise WaveFileError(
                    f"{name}: missing column {missing[0]!r} (the header has: {', '.join(header)})"
                )
            any_row = False
            for row in reader:
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                any_row = True
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
        except UnicodeDecodeError:
            raise WaveFileError(f"{name}: not UTF-8 text") from None
        except csv.Error as exc:
            raise WaveFileError(f"{name}: malformed CSV ({exc})") from None
    if not any_row:
        raise WaveFileError(f"{name} has a header but no data rows")


def _number(text: str, where: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise WaveFileError(f"{where}: non-numeric value {text!r}") from None
    if not math.isfinite(x):
        raise WaveFileError(f"{where}: value {text!r} is not a finite number")
    return x


def _value_labels(text: str, where: str) -> dict[float, str]:
    labels: dict[float, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        code, sep, label = part.partition("=")
        if not sep or not label.strip():
            raise WaveFileError(f"{where}: expected code=label, got {part!r}")
        labels[_number(code.strip(), where)] = label.strip()
    return labels


def read_items(path: str | Path) -> dict[str, ItemSpec]:
    """Read ITEMS.csv into item specs, in file order."""
    path = Path(path)
    specs: dict[str, ItemSpec] = {}
    for line, row in _rows(path, ITEM_COLUMNS):
        where = f"{path.name} line {line}"
        name = row["item"]
        if not name:
            raise WaveFileError(f"{where}, column 'item': empty item name")
        if name in specs:
            raise WaveFileError(f"{where}, column 'item': item {name!r} is listed twice")
        kind = row["type"].lower()
        if kind not in ITEM_TYPES:
            raise WaveFileError(
                f"{where}, column 'type': unknown item type {row['type']!r} "
                f"(use one of {', '.join(ITEM_TYPES)})"
            )
        correct = None
        if kind == "knowledge":
            if not row["correct"]:
                raise WaveFileError(
                    f"{where}, column 'correct': knowledge item {name!r} needs its correct answer"
                )
            correct = _number(row["correct"], f"{where}, column 'correct'")
        specs[name] = ItemSpec(
            item=name,
            type=kind,
            correct=correct,
            label=row.get("label", ""),
            value_labels=_value_labels(
                row.get("value_labels", ""), f"{where}, column 'value_labels'"
            ),
        )
    return specs


def read_answers(path: str | Path, items: Mapping[str, ItemSpec]) -> LongAnswers:
    """Read ANSWERS.csv, checking every row against the item specs."""
    path = Path(path)
    ids: list[str] = []
    waves: list[str] = []
    names: list[str] = []
    values: list[float] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(path, ANSWER_COLUMNS):
        where = f"{path.name} line {line}"
        for column in ("panelist_id", "wave", "item"):
            if not row[column]:
                raise WaveFileError(f"{where}, column {column!r}: empty")
        panelist, wave, name, text = row["panelist_id"], row["wave"], row["item"], row["value"]
        if name not in items:
            raise WaveFileError(f"{where}, column 'item': item {name!r} is not in the items file")
        key = (panelist, wave, name)
        if key in seen:
            raise WaveFileError(
                f"{where}: duplicate answer for panelist {panelist!r}, wave {wave!r}, item "
                f"{name!r} (first given on line {seen[key]})"
            )
        seen[key] = line
        value = math.nan if text == "" else _number(text, f"{where}, column 'value'")
        if not math.isnan(value) and items[name].type in ("binary",) and value not in (0.0, 1.0):
            raise WaveFileError(
                f"{where}, column 'value': binary item {name!r} takes 0 or 1, got {text!r}"
            )
        ids.append(panelist)
        waves.append(wave)
        names.append(name)
        values.append(value)
    return LongAnswers(ids, waves, names, np.array(values, dtype=np.float64))
