"""The participation-fee ledger: per panelist, a fee for each session attended.

A panelist attended a session when they were present in any of its rooms (the attendance
the rooms record, as the report counts it); the fee is the organizer's amount for the
session's kind. Every seat of the panel counts, including one who dropped out later: a
session attended is paid. The ledger names panelists by pseudonym only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from deliberation.core.cells import safe_row, text_cells
from deliberation.core.models import Deliberation
from deliberation.forum.models import Attendance, ParticipationFee, Session
from panels.models import Panelist


@dataclass(frozen=True)
class LedgerSession:
    session: Session
    fee: int
    attended: int
    total: int


@dataclass(frozen=True)
class LedgerRow:
    pseudonym: str
    amounts: tuple[int | None, ...]  # per session of the ledger: the fee, or None if absent
    sessions_attended: int
    total: int


@dataclass(frozen=True)
class Ledger:
    sessions: tuple[LedgerSession, ...]
    rows: tuple[LedgerRow, ...]
    total: int


def fees_by_kind(deliberation: Deliberation) -> dict[str, int]:
    return dict(
        ParticipationFee.objects.filter(deliberation=deliberation).values_list(
            "session_kind", "amount"
        )
    )


def fee_ledger(deliberation: Deliberation) -> Ledger:
    """Every panelist who attended a session, their fee per session and in all, and the
    totals per session and overall (four queries)."""
    fees = fees_by_kind(deliberation)
    sessions = list(Session.objects.filter(deliberation=deliberation).order_by("starts_at", "pk"))
    seats = dict(
        Panelist.objects.filter(deliberation=deliberation).values_list("user_id", "pseudonym")
    )
    came: dict[int, set[int]] = {}
    for session_id, user_id in (
        Attendance.objects.filter(room__session__deliberation=deliberation, user_id__in=seats)
        .values_list("room__session_id", "user_id")
        .distinct()
    ):
        came.setdefault(session_id, set()).add(user_id)
    rows = []
    for user_id, pseudonym in sorted(seats.items(), key=lambda item: item[1]):
        amounts = tuple(
            fees.get(session.kind, 0) if user_id in came.get(session.pk, ()) else None
            for session in sessions
        )
        attended = [a for a in amounts if a is not None]
        if attended:
            rows.append(LedgerRow(pseudonym, amounts, len(attended), sum(attended)))
    ledger_sessions = tuple(
        LedgerSession(
            session=session,
            fee=fees.get(session.kind, 0),
            attended=len(came.get(session.pk, ())),
            total=fees.get(session.kind, 0) * len(came.get(session.pk, ())),
        )
        for session in sessions
    )
    return Ledger(
        sessions=ledger_sessions,
        rows=tuple(rows),
        total=sum(row.total for row in rows),
    )


PAYMENT_HEADER = ("pseudonym", "amount")


def payment_rows(ledger: Ledger) -> list[tuple[str, int]]:
    """What payment needs, and nothing more: each panelist's pseudonym and total amount."""
    return [(row.pseudonym, row.total) for row in ledger.rows if row.total > 0]


def payment_csv(rows: list[tuple[str, int]]) -> str:
    """The payment list as CSV (text cells cannot run as formulas), with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(PAYMENT_HEADER))
    writer.writerows(safe_row(row) for row in rows)
    return "\ufeff" + buffer.getvalue()


def payment_xlsx(rows: list[tuple[str, int]]) -> bytes:
    """The payment list as a workbook: pseudonyms as text cells, amounts as numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("fees")
    sheet.append(text_cells(sheet, PAYMENT_HEADER))
    for row in rows:
        sheet.append(text_cells(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
