"""The surveys' staff writes in the audit log."""

from __future__ import annotations

import pytest

from deliberation.core.models import AuditLogEntry
from surveys import actions
from tests.surveys.factories import FULL_ANSWERS, complete_response

pytestmark = pytest.mark.django_db


def test_an_exclusion_is_in_the_audit_log_with_its_reason(wave, organizer):
    first = complete_response(wave, "R1", FULL_ANSWERS)
    actions.do_exclude_responses(
        wave, response_ids=[first.pk], reason="same person twice", actor=organizer
    )

    entry = AuditLogEntry.objects.get(event_type="responses.excluded")
    assert entry.actor == organizer and entry.deliberation_id == wave.deliberation_id
    assert entry.extra["reason"] == "same person twice"
    assert entry.extra["responses"] == [first.pk]


def test_a_fieldwork_edit_records_the_old_and_new_values(wave, organizer):
    before = wave.min_duration_seconds
    actions.do_update_fieldwork(wave, open_link=False, actor=organizer, min_duration_seconds=90)

    entry = AuditLogEntry.objects.get(event_type="fieldwork.updated")
    assert entry.changes["min_duration_seconds"] == [before, 90]
