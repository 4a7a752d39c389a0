import json

import numpy as np
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from panels import actions, selectors
from panels.audit_record import problem_from_inputs, verify_record
from panels.models import Panelist, SelectionAudit, Volunteer
from tests.factories import UserFactory
from tests.panels.flow import computed_run


@pytest.fixture
def run(organizer):
    return computed_run(organizer)


def drawn_counts(deliberation):
    counts = {}
    for features in Volunteer.objects.filter(
        deliberation=deliberation, panelist__isnull=False
    ).values_list("features", flat=True):
        for feature, value in features.items():
            counts[(feature, value)] = counts.get((feature, value), 0) + 1
    return counts


def test_the_drawn_panel_meets_every_quota(run, organizer):
    actions.do_draw(run, "20211005", actor=organizer)
    deliberation = run.deliberation
    assert deliberation.panelists.count() == 10
    counts = drawn_counts(deliberation)
    for quota in deliberation.quotas.all():
        assert quota.min <= counts.get((quota.feature, quota.value), 0) <= quota.max


def test_the_same_number_draws_the_same_panel(organizer, db):
    first = actions.do_draw(computed_run(organizer), "777", actor=organizer)
    second = actions.do_draw(computed_run(organizer), "777", actor=organizer)
    assert first.panel == second.panel


def test_different_numbers_can_draw_different_panels(organizer, db):
    panels = {
        tuple(actions.do_draw(computed_run(organizer), str(n), actor=organizer).panel)
        for n in range(4)
    }
    assert len(panels) > 1


def test_drawn_volunteers_get_panelist_accounts_from_their_contact_email(run, organizer):
    audit = actions.do_draw(run, "42", actor=organizer)
    seat = Panelist.objects.select_related("volunteer").get(volunteer__record_id=audit.panel[0])
    assert seat.user.email == f"{seat.volunteer.external_id.lower()}@example.org"
    assert seat.user.groups.filter(name="panelist").exists()
    assert seat.status == Panelist.Status.DRAWN


def test_the_panel_cannot_be_drawn_twice(run, organizer):
    actions.do_draw(run, "1", actor=organizer)
    with pytest.raises(actions.DrawRefused):
        actions.do_draw(run, "2", actor=organizer)
    assert SelectionAudit.objects.count() == 1


def test_the_draw_page_draws_and_records_the_actor(client, run, organizer):
    client.force_login(organizer)
    url = reverse("panels:draw", kwargs={"slug": run.deliberation.slug})
    assert client.post(url, {"public_number": "12 34"}).status_code == 400
    assert client.post(url, {"public_number": "1234"}).status_code == 302
    audit = SelectionAudit.objects.get()
    assert (audit.public_number, audit.actor) == ("1234", organizer)


def test_the_audit_record_verifies(run, organizer):
    audit = actions.do_draw(run, "99", actor=organizer)
    assert verify_record(selectors.audit_record(audit)).ok


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r["inputs"]["people"].__setitem__(
            next(iter(r["inputs"]["people"])), {"region": "동북권", "gender": "여성"}
        ),
        lambda r: r["inputs"]["quotas"][0].__setitem__(2, 0),
        lambda r: r.__setitem__("public_number", str(int(r["public_number"]) + 1)),
        lambda r: r["panel"].__setitem__(0, "V99999"),
        lambda r: r["lottery"]["panels"].reverse(),
    ],
    ids=["volunteer", "quota", "number", "panel", "lottery"],
)
def test_audit_verification_fails_when_an_input_changes(run, organizer, tamper):
    record = selectors.audit_record(actions.do_draw(run, "99", actor=organizer))
    tamper(record)
    assert not verify_record(record).ok


def test_verify_draw_command_confirms_a_record_and_a_file(run, organizer, tmp_path, capsys):
    audit = actions.do_draw(run, "5", actor=organizer)
    call_command("verify_draw", str(audit.pk))
    path = tmp_path / "record.json"
    record = selectors.audit_record(audit)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    call_command("verify_draw", str(path))
    record["public_number"] = "6"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify_draw", str(path))


def test_a_declined_panelist_is_replaced_keeping_every_quota_and_logged(run, organizer):
    audit = actions.do_draw(run, "8", actor=organizer)
    seat = Panelist.objects.get(volunteer__record_id=audit.panel[0])
    actions.do_set_panelist_status(seat, Panelist.Status.DECLINED, actor=organizer)
    new = actions.do_replace_panelist(seat, actor=organizer)
    assert new.replaces == seat
    audit.refresh_from_db()
    assert audit.replacements[0]["dropped"] == audit.panel[0]
    assert audit.replacements[0]["replacement"] == new.volunteer.record_id
    active = [p for p in audit.panel if p != audit.panel[0]] + [new.volunteer.record_id]
    problem = problem_from_inputs(run.inputs)
    type_of = problem.type_index()
    x = np.zeros(len(problem.members), dtype=int)
    for pid in active:
        x[type_of[pid]] += 1
    assert problem.counts_meet_quotas(x)
    assert verify_record(selectors.audit_record(audit)).ok


def test_an_active_panelist_is_not_replaced(run, organizer):
    audit = actions.do_draw(run, "8", actor=organizer)
    seat = Panelist.objects.get(volunteer__record_id=audit.panel[0])
    with pytest.raises(actions.ReplacementRefused):
        actions.do_replace_panelist(seat, actor=organizer)


def test_a_panelist_confirms_their_own_seat_only(client, run, organizer):
    actions.do_draw(run, "3", actor=organizer)
    seat, other = Panelist.objects.order_by("pk")[:2]
    client.force_login(seat.user)
    client.post(
        reverse("panels:seat_respond", kwargs={"panelist_id": seat.pk}), {"answer": "confirm"}
    )
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.CONFIRMED
    response = client.post(
        reverse("panels:seat_respond", kwargs={"panelist_id": other.pk}), {"answer": "decline"}
    )
    assert response.status_code == 403


def test_invitations_link_to_sign_in_by_code_with_the_email(
    client, run, organizer, django_capture_on_commit_callbacks
):
    actions.do_draw(run, "3", actor=organizer)
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("panels:invite", kwargs={"slug": run.deliberation.slug}))
    assert response.status_code == 302
    assert len(mail.outbox) == 10
    seat = Panelist.objects.get(user__email=mail.outbox[0].to[0])
    assert "/accounts/login/code/?email=" in mail.outbox[0].body
    assert seat.invited_at is not None


def test_the_audit_page_is_open_to_every_role_but_never_shows_contacts(client, run, organizer):
    audit = actions.do_draw(run, "3", actor=organizer)
    client.force_login(UserFactory(role="panelist"))
    url = reverse("panels:audit_record", kwargs={"slug": run.deliberation.slug})
    body = client.get(url).content.decode()
    assert audit.panel[0] in body
    assert "@" not in body
