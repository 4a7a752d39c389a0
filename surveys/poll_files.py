"""Reading a polling firm's data file (CSV, XLSX or SPSS .sav) into a table of strings.

Every cell becomes text so that one set of answer rules (surveys.items) checks all three
formats alike; whole numbers lose their ".0" on the way.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from dataclasses import dataclass

from deliberation.core.file_limits import (
    DEFAULT_LIMITS,
    FileLimits,
    FileTooLarge,
    check_size,
    csv_rows,
    too_many_columns,
    too_many_rows,
    xlsx_rows,
)

CSV_ENCODINGS = ("utf-8-sig", "cp949")


class PollFileError(ValueError):
    """The file cannot be read as a table, or exceeds the limits; the message says why.

    A file beyond a limit keeps the FileTooLarge in ``limit``, for a translated message.
    """

    def __init__(self, message: str, limit: FileTooLarge | None = None) -> None:
        super().__init__(message)
        self.limit = limit


def _too_large(exc: FileTooLarge) -> PollFileError:
    return PollFileError(str(exc), exc)


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


def _column_text(values: list) -> list[str]:
    """cell_text of each value, computed once per distinct value (NaN is blank)."""
    seen: dict = {}
    out = []
    for value in values:
        if value != value:  # NaN, which equals nothing and would never be found in seen
            out.append("")
            continue
        text = seen.get(value)
        if text is None:
            text = seen[value] = cell_text(value)
        out.append(text)
    return out


def _text_table(columns: list[str], rows: list[list[str]]) -> Table:
    """Rows already made text and as wide as the header: only blank rows are dropped."""
    return Table(columns, [row for row in rows if any(row)])


def read_csv(content: bytes, limits: FileLimits = DEFAULT_LIMITS) -> Table:
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
    try:
        rows = csv_rows(text, limits, dialect)
    except FileTooLarge as exc:
        raise _too_large(exc) from None
    except csv.Error as exc:
        raise PollFileError(f"the CSV file is malformed: {exc}") from None
    rows = [row for row in rows if row]
    if not rows:
        raise PollFileError("the file is empty")
    return _normalise(list(rows[0]), list(rows[1:]))


def read_xlsx(content: bytes, limits: FileLimits = DEFAULT_LIMITS) -> Table:
    try:
        rows = [row for row in xlsx_rows(content, limits) if row]
    except FileTooLarge as exc:
        raise _too_large(exc) from None
    except ValueError as exc:
        raise PollFileError(str(exc)) from None
    if not rows:
        raise PollFileError("the file is empty")
    return _normalise(rows[0], rows[1:])


def read_sav(content: bytes, limits: FileLimits = DEFAULT_LIMITS) -> Table:
    import pyreadstat

    handle, path = tempfile.mkstemp(suffix=".sav")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        try:
            # The header states the number of cases and variables: checked before the data.
            _empty, meta = pyreadstat.read_sav(path, metadataonly=True)
        except Exception as exc:  # pyreadstat raises its own types for damaged files
            raise PollFileError(f"the SPSS file cannot be read: {exc}") from None
        if (meta.number_rows or 0) > limits.max_rows:
            raise _too_large(too_many_rows(limits))
        if (meta.number_columns or 0) > limits.max_columns:
            raise _too_large(too_many_columns(limits))
        try:
            data, _meta = pyreadstat.read_sav(
                path, output_format="dict", row_limit=limits.max_rows + 1
            )
        except Exception as exc:
            raise PollFileError(f"the SPSS file cannot be read: {exc}") from None
    finally:
        os.unlink(path)
    columns = list(data)
    length = len(data[columns[0]]) if columns else 0
    if length > limits.max_rows:
        raise _too_large(too_many_rows(limits))
    # Column by column: a column's distinct values are few in a poll, so each is made text
    # once, and plain Python values (tolist) are read much faster than numpy's one by one.
    texts = []
    for column in columns:
        values = data[column]
        values = values.tolist() if hasattr(values, "tolist") else list(values)
        texts.append(_column_text(values))
    return _text_table(_check_columns(columns), [list(row) for row in zip(*texts, strict=True)])


READERS = {".csv": read_csv, ".xlsx": read_xlsx, ".sav": read_sav}


def read_table(filename: str, content: bytes, limits: FileLimits = DEFAULT_LIMITS) -> Table:
    """Read a data file by its extension; raise PollFileError with the reason if it fails."""
    try:
        check_size(content, limits)
    except FileTooLarge as exc:
        raise _too_large(exc) from None
    extension = os.path.splitext(filename.lower())[1]
    reader = READERS.get(extension)
    if reader is None:
        raise PollFileError(
            f"files of type {extension or '(none)'} are not read; use .csv, .xlsx or .sav"
        )
    return reader(content, limits)
