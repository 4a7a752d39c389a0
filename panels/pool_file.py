"""Reading and checking a volunteer file (CSV or XLSX) before anything is written.

The file has an id column, optional `name`, `email` and `phone` columns and one column per
selection feature. Every problem is reported with its row, column and value so the organizer
can fix the file; a file with any problem is rejected whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from deliberation.core.file_limits import (
    DEFAULT_LIMITS,
    FileLimits,
    FileTooLarge,
    check_size,
    csv_rows,
    xlsx_rows,
)

CONTACT_COLUMNS = ("name", "email", "phone")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PoolIssue:
    """One problem of a pool file: ``reason`` in English (logs, commands), ``code`` and
    ``params`` for pages to say it in their language (panels.diagnoses)."""

    row: int | None  # 1-based line in the file, header = 1
    column: str
    value: str
    reason: str
    code: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PoolRow:
    row: int
    external_id: str
    features: dict[str, str]
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class PoolCheck:
    rows: list[PoolRow] = field(default_factory=list)
    issues: list[PoolIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


class PoolFileError(ValueError):
    """The file cannot be read at all (not CSV/XLSX, wrong encoding, damaged, too large).

    A file beyond a limit keeps the FileTooLarge in ``limit``, for a translated message.
    """

    def __init__(self, message: str, limit: FileTooLarge | None = None) -> None:
        super().__init__(message)
        self.limit = limit


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """Digits only, with a Korean +82 prefix written as the domestic leading 0."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def read_table(name: str, data: bytes, limits: FileLimits = DEFAULT_LIMITS) -> list[list[str]]:
    """Rows of cells as text from a .csv or .xlsx upload, within the limits."""
    try:
        check_size(data, limits)
        if name.lower().endswith(".xlsx"):
            return _read_xlsx(data, limits)
        if name.lower().endswith(".csv"):
            for encoding in ("utf-8-sig", "cp949"):
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                try:
                    return csv_rows(text, limits)
                except csv.Error:
                    raise PoolFileError("The CSV file is malformed.") from None
            raise PoolFileError("The CSV file is neither UTF-8 nor CP949 text.")
    except FileTooLarge as exc:
        raise PoolFileError(str(exc), exc) from None
    raise PoolFileError("Upload a .csv or .xlsx file.")


def _read_xlsx(data: bytes, limits: FileLimits) -> list[list[str]]:
    try:
        rows = xlsx_rows(data, limits)
    except FileTooLarge:
        raise
    except ValueError:  # a damaged workbook: openpyxl's ParseError, BadZipFile, KeyError…
        raise PoolFileError("The file is not a readable XLSX workbook.") from None
    return [["" if v is None else _cell_text(v) for v in values] for values in rows]


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_pool_rows(
    table: list[list[str]],
    allowed: Mapping[str, Set[str]],
    *,
    id_column: str = "id",
    existing_ids: Set[str] = frozenset(),
    existing_emails: Set[str] = frozenset(),
    existing_phones: Set[str] = frozenset(),
    defaults: Mapping[str, str] | None = None,
) -> PoolCheck:
    """Validate every row against the known feature values and look for duplicates.

    A feature in ``defaults`` may have no column, or an empty cell: the row then gets the
    default (the poll's "no answer"); any other value must still be a known one.
    """
    defaults = dict(defaults or {})
    check = PoolCheck()
    rows = [(n, r) for n, r in enumerate(table, start=1) if any(str(c).strip() for c in r)]
    if not rows:
        check.issues.append(PoolIssue(None, "", "", "The file is empty.", "empty"))
        return check
    header_line, header = rows[0]
    header = [str(h).strip() for h in header]
    pos = {h: i for i, h in enumerate(header) if h}
    for col in (id_column, *allowed):
        if col not in pos and col not in defaults:
            check.issues.append(
                PoolIssue(header_line, col, "", "Missing column.", "missing_column")
            )
    if check.issues:
        return check
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for line, cells in rows[1:]:
        cells = [str(c).strip() for c in cells] + [""] * (len(header) - len(cells))
        before = len(check.issues)
        external_id = cells[pos[id_column]]
        if not external_id:
            check.issues.append(PoolIssue(line, id_column, "", "The id is empty.", "id_empty"))
        elif len(external_id) > 64:
            check.issues.append(
                PoolIssue(line, id_column, external_id, "The id is too long.", "id_too_long")
            )
        elif external_id in seen_ids:
            check.issues.append(
                PoolIssue(
                    line,
                    id_column,
                    external_id,
                    f"Duplicate of row {seen_ids[external_id]}.",
                    "duplicate_id",
                    {"row": seen_ids[external_id]},
                )
            )
        elif external_id in existing_ids:
            check.issues.append(
                PoolIssue(line, id_column, external_id, "Already in the pool.", "id_in_pool")
            )
        seen_ids.setdefault(external_id, line)
        features = {}
        for feature, values in allowed.items():
            value = cells[pos[feature]] if feature in pos else ""
            if not value and feature in defaults:
                value = defaults[feature]
            if value not in values:
                known = ", ".join(sorted(values))
                check.issues.append(
                    PoolIssue(
                        line,
                        feature,
                        value,
                        f"Unknown value (known values: {known}).",
                        "unknown_value",
                        {"feature": feature, "known": sorted(values)},
                    )
                )
            features[feature] = value
        contact = {c: cells[pos[c]] if c in pos else "" for c in CONTACT_COLUMNS}
        email_key = normalise_email(contact["email"])
        phone_key = normalise_phone(contact["phone"])
        if email_key and not _EMAIL.match(email_key):
            check.issues.append(
                PoolIssue(line, "email", contact["email"], "Not an e-mail address.", "not_email")
            )
        elif email_key in seen_emails:
            check.issues.append(
                PoolIssue(
                    line,
                    "email",
                    contact["email"],
                    f"Same person as row {seen_emails[email_key]}.",
                    "same_person_as_row",
                    {"row": seen_emails[email_key]},
                )
            )
        elif email_key and email_key in existing_emails:
            check.issues.append(
                PoolIssue(
                    line,
                    "email",
                    contact["email"],
                    "Same person already in the pool.",
                    "person_in_pool",
                )
            )
        if phone_key and phone_key in seen_phones:
            check.issues.append(
                PoolIssue(
                    line,
                    "phone",
                    contact["phone"],
                    f"Same person as row {seen_phones[phone_key]}.",
                    "same_person_as_row",
                    {"row": seen_phones[phone_key]},
                )
            )
        elif phone_key and phone_key in existing_phones:
            check.issues.append(
                PoolIssue(
                    line,
                    "phone",
                    contact["phone"],
                    "Same person already in the pool.",
                    "person_in_pool",
                )
            )
        if email_key:
            seen_emails.setdefault(email_key, line)
        if phone_key:
            seen_phones.setdefault(phone_key, line)
        if len(check.issues) == before:
            check.rows.append(PoolRow(line, external_id, features, **contact))
    if check.issues:
        check.rows = []
    return check
