"""Bounds on uploaded tables, checked before a parser spends time or memory on them.

An XLSX workbook is a zip archive: a few hundred kilobytes can expand to gigabytes of XML
(a "zip bomb"), and openpyxl would parse all of it. The archive's directory states every
member's uncompressed size, so the total and the compression ratio are checked from the
directory alone, before anything is inflated; the readers then stop at the row cap
rather than reading a whole sheet. Plain Python, so the file readers of every stage
(polls, the volunteer pool) share it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True)
class FileLimits:
    """How large an uploaded table may be; every reader refuses a file beyond them."""

    max_bytes: int = 20 * MB
    max_rows: int = 100_000
    max_columns: int = 1_000
    max_uncompressed_bytes: int = 300 * MB
    # Spreadsheets of survey data compress about 5 to 30 times; a bomb, hundreds of times.
    max_ratio: int = 100


DEFAULT_LIMITS = FileLimits()


class FileTooLarge(ValueError):
    """The file exceeds a limit: which one (kind) and its value, for a translated message."""

    MESSAGES = {
        "bytes": "the file is larger than {limit} MB",
        "rows": "the file has more than {limit:,} data rows",
        "columns": "the file has more than {limit:,} columns",
        "expanded": "the workbook would expand to more than {limit} MB",
        "ratio": "the workbook is compressed more than {limit} times, which survey data never is",
    }

    def __init__(self, kind: str, limit: int) -> None:
        self.kind = kind
        self.limit = limit
        super().__init__(self.MESSAGES[kind].format(limit=limit))


def check_length(size: int, limits: FileLimits) -> None:
    if size > limits.max_bytes:
        raise FileTooLarge("bytes", limits.max_bytes // MB)


def check_size(content: bytes, limits: FileLimits) -> None:
    check_length(len(content), limits)


def check_zip_archive(content: bytes, limits: FileLimits) -> None:
    """Refuse an archive whose members would inflate beyond the limits.

    The sizes come from the central directory; a member lying about its size is caught
    later by zipfile itself, which stops reading at the declared size and fails on a
    checksum or length mismatch.
    """
    check_size(content, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValueError("the file is not a valid Excel (.xlsx) workbook") from None
    with archive:
        members = archive.infolist()
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if total > limits.max_uncompressed_bytes:
        raise FileTooLarge("expanded", limits.max_uncompressed_bytes // MB)
    if total > MB and total > limits.max_ratio * max(compressed, 1):
        raise FileTooLarge("ratio", limits.max_ratio)


def too_many_rows(limits: FileLimits) -> FileTooLarge:
    return FileTooLarge("rows", limits.max_rows)


def too_many_columns(limits: FileLimits) -> FileTooLarge:
    return FileTooLarge("columns", limits.max_columns)


def xlsx_rows(content: bytes, limits: FileLimits) -> list[list[object]]:
    """The first sheet's rows, after the archive checks, stopping at the row cap.

    openpyxl's read-only mode streams the sheet, and max_col keeps a sheet that claims a
    huge width from padding every row to it.
    """
    check_zip_archive(content, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except FileTooLarge:
        raise
    except Exception:  # openpyxl raises many types (KeyError, ParseError…) for a damaged file
        raise ValueError("the file is not a readable Excel (.xlsx) workbook") from None
    rows: list[list[object]] = []
    try:
        if not book.worksheets:
            return rows
        counter = _RowCounter(limits)
        for values in book.worksheets[0].iter_rows(
            values_only=True, max_col=limits.max_columns + 1
        ):
            if not counter.count(any(v is not None and v != "" for v in values)):
                rows.append([])
                continue
            if len(values) > limits.max_columns and values[limits.max_columns] is not None:
                raise too_many_columns(limits)
            cells = list(values[: limits.max_columns])
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()  # max_col pads every row to its width
            rows.append(cells)
    except FileTooLarge:
        raise
    except Exception:
        raise ValueError("the file is not a readable Excel (.xlsx) workbook") from None
    finally:
        book.close()
    return rows


def csv_rows(text: str, limits: FileLimits, dialect: object = None) -> list[list[str]]:
    """Rows of CSV text, read one at a time and stopped at the row cap (csv.Error passes)."""
    import csv

    reader = csv.reader(io.StringIO(text), dialect or csv.excel)  # type: ignore[arg-type]
    rows: list[list[str]] = []
    counter = _RowCounter(limits)
    for row in reader:
        if counter.count(any(cell.strip() for cell in row)) and len(row) > limits.max_columns:
            raise too_many_columns(limits)
        rows.append(row)
    return rows


class _RowCounter:
    """Counts rows as they are read: the header and max_rows data rows, blank rows apart.

    Blank rows are kept (line numbers in error reports stay those of the file) but bounded
    too, since a sheet can declare a million of them in a few bytes.
    """

    def __init__(self, limits: FileLimits) -> None:
        self.limits = limits
        self.filled = 0
        self.blank = 0

    def count(self, filled: bool) -> bool:
        if filled:
            self.filled += 1
            if self.filled > self.limits.max_rows + 1:
                raise too_many_rows(self.limits)
        else:
            self.blank += 1
            if self.blank > self.limits.max_rows + 1000:
                raise too_many_rows(self.limits)
        return filled


# Files an operator reads from the server's own disk (management commands) are trusted as
# much as the operator; only the archive ratio guards against a mistaken bomb.
LOCAL_FILES = FileLimits(
    max_bytes=10**12, max_rows=10**9, max_columns=100_000, max_uncompressed_bytes=10**12
)
