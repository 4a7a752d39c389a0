"""Writing a wave's data set for analysts: CSV, XLSX, SPSS .sav, Stata .dta and a codebook.

Independent of Django: a Dataset is a list of labelled variables and rows of values.
SPSS and Stata files carry variable labels and value labels; CSV and XLSX carry the
labels in a codebook or a second sheet.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from dataclasses import dataclass, field

from deliberation.core.cells import safe_row, text_cells

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


def to_csv(dataset: Dataset) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(v.name for v in dataset.variables))
    for row in dataset.rows:
        writer.writerow(safe_row(_plain(value) for value in row))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(dataset: Dataset) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append(text_cells(data, [v.name for v in dataset.variables]))
    for row in dataset.rows:
        data.append(text_cells(data, [None if value is None else _plain(value) for value in row]))
    labels = book.create_sheet("labels")
    labels.append(["variable", "label", "type", "value", "value label"])
    for variable in dataset.variables:
        labels.append(
            text_cells(labels, [variable.name, variable.label, variable.kind, None, None])
        )
        for value, text in variable.value_labels.items():
            labels.append(text_cells(labels, [variable.name, None, None, value, text]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _frame(dataset: Dataset):
    import pandas as pd

    columns = {}
    for i, variable in enumerate(dataset.variables):
        values = [row[i] for row in dataset.rows]
        if variable.kind == NUMBER:
            columns[variable.name] = pd.Series(
                [math.nan if v is None else float(v) for v in values], dtype="float64"
            )
        else:
            columns[variable.name] = pd.Series(
                ["" if v is None else str(v) for v in values], dtype="object"
            )
    return pd.DataFrame(columns)


def _write_with(writer, dataset: Dataset, suffix: str, label_limit: int | None, **kwargs) -> bytes:
    frame = _frame(dataset)

    def cut(text: str) -> str:
        return text[:label_limit] if label_limit else text

    labels = {v.name: cut(v.label) for v in dataset.variables}
    value_labels = {
        v.name: {int(k): cut(t) for k, t in v.value_labels.items()}
        for v in dataset.variables
        if v.value_labels and v.kind == NUMBER
    }
    handle, path = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    try:
        writer(
            frame,
            path,
            file_label=cut(dataset.title),
            column_labels=labels,
            variable_value_labels=value_labels,
            **kwargs,
        )
        with open(path, "rb") as written:
            return written.read()
    finally:
        os.unlink(path)


def to_sav(dataset: Dataset) -> bytes:
    import pyreadstat

    return _write_with(pyreadstat.write_sav, dataset, ".sav", None)


def to_dta(dataset: Dataset) -> bytes:
    import pyreadstat

    return _write_with(pyreadstat.write_dta, dataset, ".dta", STATA_LABEL_MAX, version=15)


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
