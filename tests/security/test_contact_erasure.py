"""Erasing a deliberation's contact data leaves no copy of it in any table."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from panels import actions as pool_actions
from panels.models import Panelist, Volunteer, VolunteerContact
from surveys.actions import do_volunteer
from surveys.models import ContactDetails, ContactErasure, Response
from tests.factories import UserFactory
from tests.panels.flow import computed_run
from tests.surveys.factories import WaveFactory

pytestmark = pytest.mark.django_db

POLL_VOLUNTEER = ("김비밀", "010-9876-5432", "secret.volunteer@example.org")


@pytest.fixture
def process(organizer):
    """A poll volunteer with contacts, a pool with contacts and a panel drawn from it."""
    run = computed_run(organizer)
    deliberation = run.deliberation
    pool_actions.do_draw(run, "2021", actor=organizer)
    wave = WaveFactory(questionnaire__deliberation=deliberation)
    response = Response.objects.create(
        wave=wave, respondent_id="R1", status=Response.Status.COMPLETE, region="도심권"
    )
    name, phone, email = POLL_VOLUNTEER
    do_volunteer(response, name=name, phone=phone, email=email)
    return deliberation


def personal_strings(deliberation) -> set[str]:
    strings = set(POLL_VOLUNTEER)
    for contact in VolunteerContact.objects.filter(volunteer__deliberation=deliberation):
        strings |= {s for s in (contact.name, contact.email, contact.phone) if s}
    for seat in Panelist.objects.filter(deliberation=deliberation).select_related("user"):
        strings |= {s for s in (seat.user.email, seat.user.username) if s}
    return strings


def text_of_every_table() -> dict[str, str]:
    """Every column of every row of every table, read as text, one string per column."""
    texts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                name = (
                    f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(column.name)}"
                )
                cursor.execute(
                    f"SELECT CAST({connection.ops.quote_name(column.name)} AS TEXT) "  # noqa: S608
                    f"FROM {connection.ops.quote_name(table)}"
                )
                texts[name] = "\n".join(row[0] for row in cursor.fetchall() if row[0])
    return texts


def tables_containing(needle: str, texts: dict[str, str] | None = None) -> list[str]:
    texts = text_of_every_table() if texts is None else texts
    return [name for name, text in texts.items() if needle in text]


def test_after_erasure_no_table_holds_the_deliberations_contacts(client, organizer, process):
    strings = personal_strings(process)
    before = text_of_every_table()
    assert len(strings) > 20 and all(tables_containing(s, before) for s in strings)
    client.force_login(organizer)
    url = reverse("surveys:erase_contacts", kwargs={"slug": process.slug})
    refused = client.post(url, {"confirmation": "not the slug"})
    assert refused.status_code == 400 and not ContactErasure.objects.exists()
    client.post(url, {"confirmation": process.slug})
    texts = text_of_every_table()
    leftovers = {s: tables_containing(s, texts) for s in strings}
    assert {s: t for s, t in leftovers.items() if t} == {}


def test_answers_pseudonyms_and_the_panel_stay_and_the_erasure_is_recorded(organizer, process):
    panel = list(Panelist.objects.filter(deliberation=process).values_list("pseudonym", "status"))
    pool = Volunteer.objects.filter(deliberation=process).count()
    call_command("erase_contacts", process.slug, confirm=process.slug, by=organizer.email)
    assert (
        list(Panelist.objects.filter(deliberation=process).values_list("pseudonym", "status"))
        == panel
    )
    assert Volunteer.objects.filter(deliberation=process).count() == pool
    assert Response.objects.filter(respondent_id="R1").exists()
    assert ContactDetails.objects.get().erased_at is not None
    record = ContactErasure.objects.get()
    assert record.actor == organizer and record.counts["poll_volunteers"] == 1
    assert record.counts["accounts"] == Panelist.objects.filter(deliberation=process).count()
    seat = Panelist.objects.select_related("user").first()
    assert not seat.user.is_active and not seat.user.has_usable_password()


def test_an_account_with_another_role_is_kept(organizer, process):
    seat = Panelist.objects.select_related("user").first()
    seat.user.groups.add(*UserFactory(role="facilitator").groups.all())
    call_command("erase_contacts", process.slug, confirm=process.slug)
    seat.user.refresh_from_db()
    assert seat.user.is_active and seat.user.email
    assert ContactErasure.objects.get().counts["accounts_kept"] == 1


def test_the_command_wants_the_slug_twice(process):
    with pytest.raises(Exception, match="repeat"):
        call_command("erase_contacts", process.slug, confirm="other")
    assert not ContactErasure.objects.exists()
