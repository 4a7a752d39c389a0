"""Text that a spreadsheet must show, never run: the cells of every CSV and XLSX export.

A cell that starts with = + - @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets, so a poll answer such as ``=HYPERLINK("http://…"&A1)``
would run on the analyst's machine (OWASP, CSV injection). Such text is prefixed with an
apostrophe, and workbook text cells are written as strings. Numbers are left alone.
Plain Python; openpyxl is imported only by the workbook helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet may show it: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row whose text cannot run as a formula."""
    return [neutralise(value) for value in values]


def text_cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for an openpyxl write-only sheet: text neutralised and typed as a string."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
