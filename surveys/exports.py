"""Writing a wave's data set for analysts: CSV, XLSX, SPSS .sav, Stata .dta and a codebook.

Independent of Django: a Dataset is a list of labelled variables and rows of values.
SPSS and Stata files carry variable labels and value labels; CSV and XLSX carry the
labels in a codebook or a second sheet.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from deliberation.core.cells import safe_row
from surveys.xlsx_stream import write_workbook

NUMBER = "number"
TEXT = "text"
FORMATS = ("csv", "xlsx", "sav", "dta", "codebook")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "codebook": "text/markdown; charset=utf-8",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "sav": "sav", "dta": "dta", "codebook": "md"}
STATA_LABEL_MAX = 80
_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass
class Variable:
    name: str
    label: str
    kind: str = NUMBER
    # Codes to words; a text variable's codes are its categories' keys (e.g. region names).
    value_labels: dict[int | str, str] = field(default_factory=dict)
    note: str = ""


@dataclass
class Dataset:
    title: str
    variables: list[Variable]
    rows: list[list[float | str | None]]

    def column(self, name: str) -> list:
        index = [v.name for v in self.variables].index(name)
        return [row[index] for row in self.rows]


def safe_name(name: str) -> str:
    """A variable name SPSS and Stata accept: letters, digits, underscores, 32 at most."""
    cleaned = _NAME.sub("_", name)
    if not cleaned or not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = "v_" + cleaned
    return cleaned[:32]


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


CSV_CHUNK_ROWS = 1000


def csv_chunks(variables: Sequence[Variable], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file in pieces of a thousand rows, for a response streamed with constant
    memory however many respondents the wave has."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")  # Excel opens UTF-8 with a byte-order mark as UTF-8
    writer.writerow(safe_row(v.name for v in variables))
    for number, row in enumerate(rows, start=1):
        writer.writerow(safe_row(_plain(value) for value in row))
        if number % CSV_CHUNK_ROWS == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_csv(dataset: Dataset) -> bytes:
    return b"".join(csv_chunks(dataset.variables, dataset.rows))


LABELS_HEADER = ["variable", "label", "type", "value", "value label"]


def write_xlsx(path: str, variables: Sequence[Variable], rows: Iterable[Sequence]) -> None:
    """A sheet "data" (the variables' names, then a row per respondent) and a sheet
    "labels", each written to the zip as its rows come (``xlsx_stream``)."""
    data = itertools.chain([[v.name for v in variables]], rows)
    write_workbook(path, [("data", data), ("labels", _label_rows(variables))])


def _label_rows(variables: Sequence[Variable]) -> Iterator[list]:
    yield LABELS_HEADER
    for variable in variables:
        yield [variable.name, variable.label, variable.kind, None, None]
        for value, text in variable.value_labels.items():
            yield [variable.name, None, None, value, text]


def _frame(variables: Sequence[Variable], rows: Iterable[Sequence], count: int):
    """The data as columns: numbers in float64 arrays filled row by row (8 bytes a cell),
    texts as lists; SPSS and Stata files are written from a whole frame."""
    import numpy as np
    import pandas as pd

    numeric = [i for i, v in enumerate(variables) if v.kind == NUMBER]
    texts = [i for i, v in enumerate(variables) if v.kind != NUMBER]
    numbers = np.full((count, len(numeric)), np.nan)
    words: list[list[str]] = [[] for _ in texts]
    filled = 0
    for filled, row in enumerate(rows, start=1):
        numbers[filled - 1] = [math.nan if row[i] is None else float(row[i]) for i in numeric]
        for column, i in zip(words, texts, strict=True):
            column.append("" if row[i] is None else str(row[i]))
    columns: dict = {}
    for i, variable in enumerate(variables):
        if variable.kind == NUMBER:
            columns[variable.name] = pd.Series(numbers[:filled, numeric.index(i)], dtype="float64")
        else:
            columns[variable.name] = pd.Series(words[texts.index(i)], dtype="object")
    return pd.DataFrame(columns)


def _write_with(
    writer, path: str, title: str, variables: Sequence[Variable], frame, label_limit, **kwargs
) -> None:
    def cut(text: str) -> str:
        return text[:label_limit] if label_limit else text

    labels = {v.name: cut(v.label) for v in variables}
    value_labels = {
        v.name: {int(k): cut(t) for k, t in v.value_labels.items()}
        for v in variables
        if v.value_labels and v.kind == NUMBER
    }
    writer(
        frame,
        path,
        file_label=cut(title),
        column_labels=labels,
        variable_value_labels=value_labels,
        **kwargs,
    )


def write_file(
    path: str,
    fmt: str,
    title: str,
    variables: Sequence[Variable],
    rows: Iterable[Sequence],
    count: int,
) -> None:
    """Write an XLSX, SAV or DTA file of ``count`` rows to ``path``, reading the rows once."""
    if fmt == "xlsx":
        write_xlsx(path, variables, rows)
        return
    import pyreadstat

    frame = _frame(variables, rows, count)
    if fmt == "sav":
        _write_with(pyreadstat.write_sav, path, title, variables, frame, None)
    elif fmt == "dta":
        _write_with(
            pyreadstat.write_dta, path, title, variables, frame, STATA_LABEL_MAX, version=15
        )
    else:
        raise ValueError(f"{fmt!r} is not written to a file; use xlsx, sav or dta")


def _through_file(dataset: Dataset, fmt: str) -> bytes:
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        write_file(path, fmt, dataset.title, dataset.variables, dataset.rows, len(dataset.rows))
        with open(path, "rb") as written:
            return written.read()
    finally:
        os.unlink(path)


def to_xlsx(dataset: Dataset) -> bytes:
    return _through_file(dataset, "xlsx")


def to_sav(dataset: Dataset) -> bytes:
    return _through_file(dataset, "sav")


def to_dta(dataset: Dataset) -> bytes:
    return _through_file(dataset, "dta")


def codebook(dataset: Dataset) -> bytes:
    lines = [f"# Codebook: {dataset.title}", "", f"Respondents: {len(dataset.rows)}", ""]
    for variable in dataset.variables:
        lines.append(f"## {variable.name}")
        lines.append("")
        lines.append(f"- Label: {variable.label}")
        lines.append(f"- Type: {variable.kind}")
        if variable.note:
            lines.append(f"- Note: {variable.note}")
        if variable.value_labels:
            lines.append("- Values:")
            lines += [f"  - {value} = {text}" for value, text in variable.value_labels.items()]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "sav": to_sav, "dta": to_dta, "codebook": codebook}


def write(dataset: Dataset, fmt: str) -> bytes:
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return WRITERS[fmt](dataset)
