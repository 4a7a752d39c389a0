"""The public audit record lets anyone re-run the draw, and links no person to a volunteer."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from panels import actions, selectors
from panels.audit_record import verify_record
from panels.models import Panelist, Volunteer
from tests.panels.flow import computed_run

pytestmark = pytest.mark.django_db


def test_the_record_names_volunteers_by_record_ids_only_and_still_verifies(client, organizer):
    run = computed_run(organizer)
    audit = actions.do_draw(run, "2021", actor=organizer)
    client.force_login(organizer)
    body = client.get(
        reverse("panels:audit_record", kwargs={"slug": run.deliberation.slug})
    ).content.decode()
    record = json.loads(body)
    pool = list(Volunteer.objects.filter(deliberation=run.deliberation))
    assert set(record["inputs"]["people"]) == {v.record_id for v in pool}
    for volunteer in pool:
        assert volunteer.external_id not in body
    assert verify_record(selectors.audit_record(audit)).ok


def test_panelist_accounts_carry_no_volunteer_id(organizer):
    run = computed_run(organizer)
    actions.do_draw(run, "7", actor=organizer)
    for seat in Panelist.objects.select_related("user", "volunteer"):
        assert seat.volunteer.external_id not in seat.user.username
        assert seat.volunteer.record_id not in seat.user.username


def test_accounts_named_after_volunteer_ids_are_renamed(organizer):
    run = computed_run(organizer)
    actions.do_draw(run, "7", actor=organizer)
    seat = Panelist.objects.select_related("user", "volunteer").first()
    seat.user.username = f"v{run.deliberation_id}-{seat.volunteer.external_id}"
    seat.user.save(update_fields=["username"])
    migration = importlib.import_module("panels.migrations.0003_volunteer_record_id")
    migration.rename_panelist_accounts(apps, None)
    renamed = get_user_model().objects.get(pk=seat.user_id).username
    assert renamed.startswith("panelist-") and seat.volunteer.external_id not in renamed
