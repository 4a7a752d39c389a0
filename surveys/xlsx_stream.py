"""An XLSX workbook written as it is read: rows go straight into the zip, a few hundred at a
time, so the memory a workbook takes does not grow with its rows.

Why not openpyxl: its write-only workbook still makes an object of every cell and serialises
it through an XML writer, about 10 µs a cell, over a minute for a wave of 100,000
respondents and 60 questions (6.5 million cells). A data set's parts are plain XML: numbers,
inline strings and nothing else (no shared strings, cell styles or formulas), so each row is
formatted here as one string and the sheet is deflated at level 1 as it comes.

What a cell holds:

- an int or a float: a number (a whole float without ``.0``; NaN and infinities, which a
  sheet cannot hold, as an empty cell);
- a bool: a boolean;
- a str: an inline string, never a formula. Text that a spreadsheet would read as a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a leading apostrophe, as
  every export does (``deliberation.core.cells``); characters XML cannot carry (control
  characters other than tab, newline and carriage return, lone surrogates, U+FFFE and
  U+FFFF) are dropped first, so they can neither break the file nor hide a formula; text
  is cut to Excel's 32,767 characters. An empty text is an empty cell;
- None: an empty cell (nothing is written);
- another number (numpy's, a Decimal): as an int or a float;
- anything else: its ``str()`` as text.

The zip has no ZIP64 records: Python's ``force_zip64`` puts them in a part's local header
but not in the central directory unless the part is large, a mismatch that can make Excel
offer to repair the file (as XlsxWriter's ``use_zip64`` documents). A sheet is therefore at
most 2 GiB of XML, about 1.2 million rows of 70 columns; a larger one raises RuntimeError.

Plain Python (no Django): ``write_workbook(path, [("data", rows), ("labels", rows)])``.
"""

from __future__ import annotations

import decimal
import math
import numbers
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

from deliberation.core.cells import neutralise

MAX_COLUMNS = 16_384
MAX_TEXT = 32_767
MAX_SHEET_NAME = 31
ROWS_PER_WRITE = 500

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letters(count: int) -> list[str]:
    """The first ``count`` column names: A … Z, AA … ZZ, AAA …"""
    if count > MAX_COLUMNS:
        raise ValueError(f"a sheet has at most {MAX_COLUMNS:,} columns, not {count:,}")
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _escape(text: str) -> str:
    # A carriage return is written as a reference: XML readers turn a literal one into \n.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def text_xml(ref: str, text: str) -> str:
    """An inline-string cell, or "" for a text that is empty once cleaned."""
    text = neutralise(_ILLEGAL.sub("", text))[:MAX_TEXT]
    if not text:
        return ""
    # Without xml:space="preserve", Excel drops leading and trailing spaces.
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _other_xml(ref: str, value: Any) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Real | decimal.Decimal):
        return _float_xml(ref, float(value))
    return text_xml(ref, str(value))


def _float_xml(ref: str, value: float) -> str:
    if value.is_integer():
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if math.isfinite(value):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return ""


def row_xml(number: int, values: Sequence[Any], letters: Sequence[str]) -> str:
    """Row ``number`` (from 1) of a sheet; ``letters`` names at least ``len(values)`` columns."""
    r = str(number)
    parts = [f'<row r="{r}">']
    append = parts.append
    for letter, value in zip(letters, values):  # noqa: B905 (letters may be longer)
        kind = type(value)
        if kind is int:
            append(f'<c r="{letter}{r}"><v>{value}</v></c>')
        elif kind is float:
            if value.is_integer():
                append(f'<c r="{letter}{r}"><v>{int(value)}</v></c>')
            elif math.isfinite(value):
                append(f'<c r="{letter}{r}"><v>{value!r}</v></c>')
        elif value is None:
            continue
        elif kind is str:
            append(text_xml(letter + r, value))
        else:
            append(_other_xml(letter + r, value))
    append("</row>")
    return "".join(parts)


def _write_sheet(out: IO[bytes], rows: Iterable[Sequence[Any]]) -> None:
    out.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
    letters: list[str] = []
    pending: list[str] = []
    for number, values in enumerate(rows, start=1):
        if len(values) > len(letters):
            letters = column_letters(len(values))
        pending.append(row_xml(number, values, letters))
        if len(pending) == ROWS_PER_WRITE:
            out.write("".join(pending).encode("utf-8"))
            pending = []
    pending.append("</sheetData></worksheet>")
    out.write("".join(pending).encode("utf-8"))


def _check_names(names: Sequence[str]) -> None:
    if not names:
        raise ValueError("a workbook has at least one sheet")
    if len({name.casefold() for name in names}) != len(names):
        raise ValueError(f"sheet names must differ: {names!r}")
    for name in names:
        if (
            not name
            or len(name) > MAX_SHEET_NAME
            or _SHEET_NAME_FORBIDDEN.search(name)
            or _ILLEGAL.search(name)
            or name.startswith("'")
            or name.endswith("'")
        ):
            raise ValueError(f"{name!r} is not a sheet name Excel accepts")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _package_parts(names: Sequence[str]) -> dict[str, str]:
    numbers = range(1, len(names) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
        for n in numbers
    )
    content_types = (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'{_HEAD}<Relationships xmlns="{_PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheets = "".join(
        f'<sheet name="{_attribute(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in zip(numbers, names, strict=True)
    )
    workbook = (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
        f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    styles_id = len(names) + 1
    workbook_rels = (
        f'{_HEAD}<Relationships xmlns="{_PACKAGE_RELS}">{sheet_rels}'
        f'<Relationship Id="rId{styles_id}" Type="{_RELS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": _STYLES,
    }


def write_workbook(
    target: str | os.PathLike[str] | IO[bytes],
    sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]],
) -> None:
    """Write the sheets, each a name and its rows (sequences of cell values), in turn to
    ``target`` (a path or a binary file), reading each sheet's rows once."""
    names = [name for name, _rows in sheets]
    _check_names(names)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in _package_parts(names).items():
            book.writestr(name, text)
        for number, (_name, rows) in enumerate(sheets, start=1):
            part = f"xl/worksheets/sheet{number}.xml"
            with book.open(part, "w") as out:
                _write_sheet(out, rows)
