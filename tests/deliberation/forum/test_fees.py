"""Participation fees (참가비): an amount per session kind; attendance makes a ledger per
panelist with totals per session and overall, exported for payment with the pseudonym
and the amount only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from deliberation.core.actions import ActionRefused
from deliberation.core.models import AuditLogEntry
from deliberation.core.roles import Role
from deliberation.forum import fees
from deliberation.forum.actions import do_set_participation_fees
from deliberation.forum.models import Attendance, ParticipationFee, Session
from tests.factories import (
    DeliberationFactory,
    ForumGroupFactory,
    PanelistFactory,
    SessionFactory,
    UserFactory,
    join,
)


@pytest.fixture
def setting(db, organizer):
    deliberation = DeliberationFactory()
    join(organizer, deliberation, Role.ORGANIZER)
    plenary = SessionFactory(deliberation=deliberation, kind=Session.Kind.PLENARY)
    group = ForumGroupFactory(session__deliberation=deliberation)
    forum = group.session  # a regional forum
    seats = [PanelistFactory(deliberation=deliberation, pseudonym=f"P{n:03d}") for n in (1, 2, 3)]
    return deliberation, plenary, forum, group, seats


def attend(room, seat, times=1):
    user = getattr(seat, "user", seat)
    for n in range(times):
        Attendance.objects.create(room=room, user=user, channel_name=f"c{user.pk}-{n}")


def test_the_fee_ledger_totals_per_session_and_overall(setting, organizer):
    deliberation, plenary, forum, group, (a, b, c) = setting
    do_set_participation_fees(
        deliberation,
        {Session.Kind.PLENARY: 100_000, Session.Kind.REGIONAL_FORUM: 70_000},
        actor=organizer,
    )
    plenary_room = plenary.rooms.get()
    attend(plenary_room, a, times=3)  # reconnections pay once
    attend(plenary_room, b)
    attend(group.room, a)
    attend(group.room, c)
    attend(plenary_room, UserFactory())  # not a panelist: no fee
    ledger = fees.fee_ledger(deliberation)
    by_session = {entry.session.pk: entry for entry in ledger.sessions}
    assert (by_session[plenary.pk].attended, by_session[plenary.pk].total) == (2, 200_000)
    assert (by_session[forum.pk].attended, by_session[forum.pk].total) == (2, 140_000)
    rows = {row.pseudonym: row for row in ledger.rows}
    assert rows["P001"].total == 170_000 and rows["P001"].sessions_attended == 2
    assert (rows["P002"].total, rows["P002"].sessions_attended) == (100_000, 1)
    assert rows["P002"].amounts == tuple(
        100_000 if s.pk == plenary.pk else None for s in [e.session for e in ledger.sessions]
    )
    assert rows["P003"].total == 70_000
    assert ledger.total == 340_000 == sum(e.total for e in ledger.sessions)


def test_a_panelist_who_attended_nothing_is_not_in_the_ledger(setting, organizer):
    deliberation, plenary, _forum, _group, (a, b, _c) = setting
    do_set_participation_fees(deliberation, {Session.Kind.PLENARY: 50_000}, actor=organizer)
    attend(plenary.rooms.get(), a)
    ledger = fees.fee_ledger(deliberation)
    assert [row.pseudonym for row in ledger.rows] == ["P001"]
    assert ledger.total == 50_000


def test_changing_a_fee_changes_the_ledger_and_is_audited(setting, organizer):
    deliberation, plenary, _forum, _group, (a, _b, _c) = setting
    attend(plenary.rooms.get(), a)
    do_set_participation_fees(deliberation, {Session.Kind.PLENARY: 50_000}, actor=organizer)
    do_set_participation_fees(deliberation, {Session.Kind.PLENARY: 80_000}, actor=organizer)
    assert fees.fee_ledger(deliberation).total == 80_000
    entry = AuditLogEntry.objects.filter(event_type="participation_fees.set").first()
    assert entry.changes == {"plenary": [50_000, 80_000]}
    do_set_participation_fees(deliberation, {Session.Kind.PLENARY: None}, actor=organizer)
    assert not ParticipationFee.objects.filter(deliberation=deliberation).exists()
    assert fees.fee_ledger(deliberation).total == 0


@pytest.mark.parametrize("amounts", [{"plenary": -1}, {"plenary": 10_000_001}, {"party": 5}])
def test_a_bad_fee_is_refused_and_nothing_changes(setting, organizer, amounts):
    deliberation = setting[0]
    do_set_participation_fees(deliberation, {"plenary": 1_000}, actor=organizer)
    with pytest.raises(ActionRefused):
        do_set_participation_fees(deliberation, amounts, actor=organizer)
    assert fees.fees_by_kind(deliberation) == {"plenary": 1_000}


def test_the_organizer_sets_fees_on_the_page_and_sees_the_ledger(client, setting, organizer):
    deliberation, plenary, _forum, _group, (a, _b, _c) = setting
    attend(plenary.rooms.get(), a)
    client.force_login(organizer)
    url = reverse("forum:fees", args=[deliberation.slug])
    assert client.post(url, {"plenary": "120000", "regional_forum": ""}).status_code == 302
    assert fees.fees_by_kind(deliberation) == {"plenary": 120_000}
    page = client.get(url).content.decode()
    assert '<td class="overall-total">120000</td>' in page
    assert client.post(url, {"plenary": "-5"}).status_code == 400
    assert fees.fees_by_kind(deliberation) == {"plenary": 120_000}


def test_the_payment_export_has_the_pseudonym_and_the_amount_only(client, setting, organizer):
    deliberation, plenary, _forum, _group, (a, b, _c) = setting
    a.pseudonym = "=HYPERLINK(1)"  # formula-like text must not run in a spreadsheet
    a.save()
    do_set_participation_fees(deliberation, {Session.Kind.PLENARY: 90_000}, actor=organizer)
    attend(plenary.rooms.get(), a)
    attend(plenary.rooms.get(), b)
    client.force_login(organizer)
    response = client.get(reverse("forum:fees_export", args=[deliberation.slug, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["pseudonym", "amount"], ["'=HYPERLINK(1)", "90000"], ["P002", "90000"]]
    body = response.content.decode("utf-8-sig")
    assert a.user.email not in body and a.user.username not in body
    response = client.get(reverse("forum:fees_export", args=[deliberation.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values == [["pseudonym", "amount"], ["'=HYPERLINK(1)", 90000], ["P002", 90000]]
    missing = reverse("forum:fees_export", args=[deliberation.slug, "pdf"])
    assert client.get(missing).status_code == 404
