"""Participation fees: the organizer's amount per session kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.forum.models import ParticipationFee, Session

# No fee above this (ten million won) is taken: a typo, not a fee.
MAX_FEE = 10_000_000


def do_set_participation_fees(
    deliberation: Deliberation, amounts: Mapping[str, int | None], *, actor: Any
) -> dict[str, int]:
    """Set the fee per session kind (None or absent: no fee for that kind)."""
    kinds = set(Session.Kind.values)
    for kind, amount in amounts.items():
        if kind not in kinds:
            raise ActionRefused("unknown_kind", _("Unknown session kind."))
        if amount is not None and not (0 <= int(amount) <= MAX_FEE):
            raise ActionRefused(
                "fee_out_of_range",
                _("A fee is between 0 and %(max)s won.") % {"max": f"{MAX_FEE:,}"},
            )
    wanted = {kind: int(amount) for kind, amount in amounts.items() if amount is not None}
    with transaction.atomic():
        rows = ParticipationFee.objects.select_for_update().filter(deliberation=deliberation)
        before = {row.session_kind: row.amount for row in rows}
        ParticipationFee.objects.filter(deliberation=deliberation).exclude(
            session_kind__in=wanted
        ).delete()
        for kind, amount in wanted.items():
            ParticipationFee.objects.update_or_create(
                deliberation=deliberation, session_kind=kind, defaults={"amount": amount}
            )
        audit.record(
            "participation_fees.set",
            actor=actor,
            deliberation=deliberation,
            changes=audit.changes_between(before, wanted),
        )
    return wanted
