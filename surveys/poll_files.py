"""Reading a polling firm's data file (CSV, XLSX or SPSS .sav) into a table of strings.

Every cell becomes text so that one set of answer rules (surveys.items) checks all three
formats alike; whole numbers lose their ".0" on the way.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from dataclasses import dataclass

MAX_FILE_BYTES = 50 * 1024 * 1024
CSV_ENCODINGS = ("utf-8-sig", "cp949")


class PollFileError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return str(int(value))
    return str(value).strip()


def _check_columns(columns: list[str]) -> list[str]:
    columns = [cell_text(c) for c in columns]
    if not columns or not any(columns):
        raise PollFileError("the first row must name the columns")
    blank = [i + 1 for i, c in enumerate(columns) if not c]
    if blank:
        raise PollFileError(f"column {blank[0]} has no name in the first row")
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise PollFileError(f"the column name {column!r} appears twice")
        seen.add(column)
    return columns


def _normalise(columns: list[str], rows: list[list[object]]) -> Table:
    columns = _check_columns(columns)
    width = len(columns)
    table_rows = []
    for row in rows:
        cells = [cell_text(v) for v in row][:width]
        if not any(cells):
            continue
        table_rows.append(cells + [""] * (width - len(cells)))
    return Table(columns, table_rows)


def read_csv(content: bytes) -> Table:
    for encoding in CSV_ENCODINGS:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PollFileError("the CSV file is neither UTF-8 nor CP949 (EUC-KR) text")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        columns = next(reader)
    except StopIteration:
        raise PollFileError("the file is empty") from None
    except csv.Error as exc:
        raise PollFileError(f"the CSV file is malformed: {exc}") from None
    try:
        return _normalise(columns, list(reader))
    except csv.Error as exc:
        raise PollFileError(f"the CSV file is malformed: {exc}") from None


def read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise PollFileError(f"the Excel file cannot be read: {exc}") from None
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise PollFileError("the file is empty")
    return _normalise(rows[0], rows[1:])


def read_sav(content: bytes) -> Table:
    import pyreadstat

    handle, path = tempfile.mkstemp(suffix=".sav")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        try:
            data, _meta = pyreadstat.read_sav(path, output_format="dict")
        except Exception as exc:  # pyreadstat raises its own types for damaged files
            raise PollFileError(f"the SPSS file cannot be read: {exc}") from None
    finally:
        os.unlink(path)
    columns = list(data)
    length = len(data[columns[0]]) if columns else 0
    rows = [[data[c][i] for c in columns] for i in range(length)]
    return _normalise(columns, rows)


READERS = {".csv": read_csv, ".xlsx": read_xlsx, ".sav": read_sav}


def read_table(filename: str, content: bytes) -> Table:
    """Read a data file by its extension; raise PollFileError with the reason if it fails."""
    if len(content) > MAX_FILE_BYTES:
        raise PollFileError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    extension = os.path.splitext(filename.lower())[1]
    reader = READERS.get(extension)
    if reader is None:
        raise PollFileError(
            f"files of type {extension or '(none)'} are not read; use .csv, .xlsx or .sav"
        )
    return reader(content)
