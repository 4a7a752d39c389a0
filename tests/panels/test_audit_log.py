"""The panel selection's writes in the audit log, and their part in the draw's record."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from deliberation.core.actions import TeamInvitation, do_invite_to_team
from deliberation.core.models import AuditLogEntry
from panels import actions, selectors
from tests.factories import DeliberationFactory
from tests.panels.flow import computed_run

pytestmark = pytest.mark.django_db


def test_a_plan_edit_records_the_old_and_new_values(organizer):
    deliberation = DeliberationFactory()
    actions.do_update_plan(
        deliberation, panel_size=10, tolerance=Decimal("0.1"), lottery_size=100, actor=organizer
    )
    actions.do_update_plan(
        deliberation, panel_size=12, tolerance=Decimal("0.1"), lottery_size=100, actor=organizer
    )

    entry = AuditLogEntry.objects.filter(event_type="plan.updated").first()
    assert entry.changes == {"panel_size": [10, 12]}
    assert entry.actor == organizer and entry.deliberation == deliberation


def test_the_draw_record_carries_the_selection_part_of_the_log_as_csv(organizer):
    deliberation = DeliberationFactory()
    do_invite_to_team(
        deliberation,
        [TeamInvitation("helper@example.org", "analyst")],
        login_url="/accounts/login/",
        actor=organizer,
    )
    actions.do_add_region(deliberation, "=SUM(A1)", "", [], actor=organizer)
    run = computed_run(organizer, deliberation)
    audit = actions.do_draw(run, "2021", actor=organizer)

    record = selectors.audit_record(audit)

    rows = list(csv.DictReader(io.StringIO(record["audit_log_csv"])))
    events = [row["event_type"] for row in rows]
    assert events[0] == "region.added" and events[-1] == "draw.made"
    assert "run.started" in events
    assert "team.invited" not in events and "volunteers.added" not in events
    assert rows[0]["object"] == "'=SUM(A1)"
