"""Confirmation week: every seat's contact log (invitation, reminders, the answer in the
product or by telephone, a decline's reason), the deadline, and the dashboard by stratum
that shows where reserves are needed."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from deliberation.core.actions import ActionRefused
from deliberation.core.models import AuditLogEntry
from deliberation.core.roles import Role
from panels import actions, selectors
from panels.models import REASON_LENGTH, Panelist, SeatContact
from tests.factories import PanelistFactory, UserFactory, join
from tests.panels.flow import computed_run

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def drawn(organizer):
    run = computed_run(organizer)
    actions.do_draw(run, "2017", actor=organizer, reserves=4)
    join(organizer, run.deliberation, Role.ORGANIZER)
    return run.deliberation


@pytest.fixture
def invited(drawn, organizer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_send_invitations(drawn, login_url="https://x/login/", actor=organizer)
    return drawn


def kinds(seat) -> list[tuple[str, str]]:
    return list(seat.contacts.values_list("kind", "channel"))


def test_sending_invitations_logs_an_invitation_on_each_seat(invited):
    for seat in invited.panelists.all():
        assert kinds(seat) == [("invitation", "email")]


def test_reminders_go_to_seats_without_an_answer_and_are_logged(
    invited, organizer, django_capture_on_commit_callbacks
):
    first, second = invited.panelists.order_by("draw_position")[:2]
    actions.do_record_seat_answer(first, "confirm", channel="product", actor=first.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        n = actions.do_send_confirmation_reminders(invited, login_url="https://x/", actor=organizer)
    assert n == 9 and len(mail.outbox) == 9
    assert first.user.email not in {m.to[0] for m in mail.outbox}
    assert kinds(second) == [("invitation", "email"), ("reminder", "email")]
    assert kinds(first) == [("invitation", "email"), ("confirmed", "product")]
    entry = AuditLogEntry.objects.get(event_type="confirmation_reminders.sent")
    assert entry.extra["count"] == 9


def test_a_panelist_declines_in_the_product_with_a_reason(client, invited):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(seat.user)
    url = reverse("panels:seat_respond", args=[seat.pk])
    client.post(url, {"answer": "decline", "reason": "  야간 근무  "})
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.DECLINED
    contact = seat.contacts.get(kind="declined")
    assert (contact.channel, contact.reason, contact.actor) == ("product", "야간 근무", seat.user)
    entry = AuditLogEntry.objects.get(event_type="panelist.answer_recorded")
    assert entry.extra == {"channel": "product", "reason": "야간 근무"}


def test_a_panelist_confirming_with_a_reason_typed_confirms(client, invited):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(seat.user)
    url = reverse("panels:seat_respond", args=[seat.pk])
    client.post(url, {"answer": "confirm", "reason": "changed my mind"})
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.CONFIRMED
    assert seat.contacts.get(kind="confirmed").reason == ""


def test_the_home_page_offers_a_decline_reason(client, invited):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(seat.user)
    page = client.get(reverse("deliberation:home"), **EN).content.decode()
    assert f'id="decline-reason-{seat.pk}" name="reason" maxlength="{REASON_LENGTH}"' in page


def test_the_panelist_is_refused_an_oversized_reason_and_nothing_changes(client, invited):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(seat.user)
    url = reverse("panels:seat_respond", args=[seat.pk])
    client.post(url, {"answer": "decline", "reason": "x" * (REASON_LENGTH + 1)})
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.INVITED
    assert kinds(seat) == [("invitation", "email")]


def test_staff_record_a_telephone_confirmation(client, invited, organizer):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(organizer)
    url = reverse("panels:record_answer", args=[invited.slug, seat.pk])
    response = client.post(url, {"answer": "confirm"})
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.CONFIRMED
    contact = seat.contacts.get(kind="confirmed")
    assert (contact.channel, contact.actor) == ("phone", organizer)
    page = client.get(reverse("panels:confirmations", args=[invited.slug]), **EN).content.decode()
    assert "By telephone, recorded by staff" in page


def test_staff_record_a_telephone_decline_with_its_reason(client, invited, organizer):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(organizer)
    url = reverse("panels:record_answer", args=[invited.slug, seat.pk])
    client.post(url, {"answer": "decline", "reason": "건강 문제"})
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.DECLINED
    assert seat.contacts.get(kind="declined").reason == "건강 문제"


def unchanged(seat) -> bool:
    seat.refresh_from_db()
    return seat.status == Panelist.Status.INVITED and kinds(seat) == [("invitation", "email")]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.FACILITATOR, Role.PANELIST, Role.EXPERT])
def test_a_telephone_answer_from_the_wrong_role_is_forbidden(client, invited, role):
    seat = invited.panelists.order_by("draw_position").first()
    user = UserFactory(role=role)
    if role != Role.PANELIST:
        join(user, invited, role)
    client.force_login(user)
    url = reverse("panels:record_answer", args=[invited.slug, seat.pk])
    assert client.post(url, {"answer": "confirm"}).status_code == 403
    assert unchanged(seat)
    assert not AuditLogEntry.objects.filter(event_type="panelist.answer_recorded").exists()


def test_a_telephone_answer_for_an_unknown_seat_is_not_found(client, invited, organizer):
    other = PanelistFactory(status=Panelist.Status.INVITED)  # a seat of another deliberation
    client.force_login(organizer)
    for pk in (other.pk, 999_999):
        url = reverse("panels:record_answer", args=[invited.slug, pk])
        assert client.post(url, {"answer": "confirm"}).status_code == 404
    other.refresh_from_db()
    assert other.status == Panelist.Status.INVITED
    assert not SeatContact.objects.filter(kind="confirmed").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "decline", "reason": "x" * (REASON_LENGTH + 1)},
        {"answer": "confirm", "reason": "no reason with a confirmation"},
        {"answer": "maybe"},
        {},
    ],
)
def test_a_bad_telephone_answer_is_refused_and_changes_nothing(client, invited, organizer, data):
    seat = invited.panelists.order_by("draw_position").first()
    client.force_login(organizer)
    url = reverse("panels:record_answer", args=[invited.slug, seat.pk])
    response = client.post(url, data, follow=True, **EN)
    assert "recorded." not in response.content.decode().replace("cannot be recorded.", "")
    assert unchanged(seat)
    assert not AuditLogEntry.objects.filter(event_type="panelist.answer_recorded").exists()


def test_a_seat_that_declined_cannot_be_confirmed_by_telephone(invited, organizer):
    seat = invited.panelists.order_by("draw_position").first()
    actions.do_record_seat_answer(seat, "decline", channel="phone", actor=organizer)
    with pytest.raises(ActionRefused):
        actions.do_record_seat_answer(seat, "confirm", channel="phone", actor=organizer)
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.DECLINED


def test_a_status_set_by_hand_is_logged_as_set_by_staff(invited, organizer):
    seat = invited.panelists.order_by("draw_position").first()
    actions.do_set_panelist_status(seat, Panelist.Status.CONFIRMED, actor=organizer)
    assert kinds(seat) == [("invitation", "email"), ("confirmed", "staff")]


def test_the_deadline_is_saved_and_audited(client, drawn, organizer):
    client.force_login(organizer)
    url = reverse("panels:confirmation_deadline", args=[drawn.slug])
    client.post(url, {"deadline": "2026-05-04T18:00"})
    drawn.panel_plan.refresh_from_db()
    deadline = timezone.localtime(drawn.panel_plan.confirmation_deadline)
    assert deadline.strftime("%Y-%m-%d %H:%M") == "2026-05-04 18:00"
    page = client.get(reverse("panels:confirmations", args=[drawn.slug])).content.decode()
    assert 'value="2026-05-04T18:00"' in page
    assert AuditLogEntry.objects.filter(event_type="confirmation_deadline.set").exists()
    client.post(url, {"deadline": "not a date"})
    drawn.panel_plan.refresh_from_db()
    assert drawn.panel_plan.confirmation_deadline is not None


def row_of(dashboard, **values):
    for row in dashboard["rows"]:
        if all(dict(row["stratum"]).get(k) == v for k, v in values.items()):
            return row
    raise AssertionError(values)


def test_the_dashboard_counts_each_stratum(invited, organizer):
    seats = list(invited.panelists.select_related("volunteer").order_by("draw_position"))
    features = selectors.seat_stratum_features(invited)
    target = seats[0]
    stratum = {f: str(target.volunteer.features[f]) for f in features}
    same = [s for s in seats if all(str(s.volunteer.features[f]) == v for f, v in stratum.items())]
    actions.do_record_seat_answer(target, "decline", channel="phone", actor=organizer)
    if len(same) > 1:
        actions.do_record_seat_answer(same[1], "confirm", channel="phone", actor=organizer)
    dashboard = selectors.confirmation_dashboard(invited)
    row = row_of(dashboard, **stratum)
    assert row["drawn"] == len(same) and row["invited"] == len(same)
    assert row["declined"] == 1
    assert row["confirmed"] == (1 if len(same) > 1 else 0)
    assert row["no_answer"] == len(same) - 1 - row["confirmed"]
    assert row["needs_reserves"]
    totals = dashboard["totals"]
    assert totals["drawn"] == 10 and totals["declined"] == 1
    assert totals["no_answer"] == 10 - 1 - totals["confirmed"]
    others = [r for r in dashboard["rows"] if r is not row]
    assert not any(r["needs_reserves"] for r in others)


def test_the_dashboard_lists_strata_needing_reserves_first_then_in_category_order(
    invited, organizer
):
    seats = list(invited.panelists.select_related("volunteer").order_by("-draw_position"))
    actions.do_record_seat_answer(seats[0], "decline", channel="phone", actor=organizer)
    rows = selectors.confirmation_dashboard(invited)["rows"]
    order = selectors.category_order(invited)

    def key(row):
        return [
            (order[f].index(v) if v in order.get(f, []) else len(order.get(f, [])), v)
            for f, v in row["stratum"]
        ]

    assert rows[0]["needs_reserves"] and not any(r["needs_reserves"] for r in rows[1:])
    assert [key(r) for r in rows[1:]] == sorted(key(r) for r in rows[1:])
    assert len(rows) > 2


def test_after_the_deadline_seats_without_an_answer_are_overdue_and_need_reserves(
    invited, organizer
):
    actions.do_set_confirmation_deadline(
        invited, timezone.now() - datetime.timedelta(hours=1), actor=organizer
    )
    dashboard = selectors.confirmation_dashboard(invited)
    assert dashboard["overdue_now"]
    assert dashboard["totals"]["overdue"] == 10
    assert all(row["needs_reserves"] for row in dashboard["rows"])
    before = selectors.confirmation_dashboard(
        invited, now=timezone.now() - datetime.timedelta(days=1)
    )
    assert before["totals"]["overdue"] == 0


def test_a_replaced_drop_out_no_longer_needs_reserves(invited, organizer):
    seat = invited.panelists.order_by("draw_position").first()
    actions.do_record_seat_answer(seat, "decline", channel="phone", actor=organizer)
    assert selectors.confirmation_dashboard(invited)["totals"]["declined"] == 1
    waiting_before = selectors.confirmation_dashboard(invited)["totals"]["reserves_waiting"]
    actions.do_replace_from_reserves(invited, actor=organizer)
    dashboard = selectors.confirmation_dashboard(invited)
    assert dashboard["totals"]["declined"] == 0
    assert dashboard["totals"]["reserves_waiting"] == waiting_before - 1
    assert dashboard["totals"]["drawn"] == 11  # the replacement's seat, not yet invited


def test_the_dashboard_links_a_stratum_needing_reserves_to_the_reserves(client, invited, organizer):
    seat = invited.panelists.order_by("draw_position").first()
    actions.do_record_seat_answer(seat, "decline", channel="phone", actor=organizer)
    client.force_login(organizer)
    page = client.get(reverse("panels:confirmations", args=[invited.slug]), **EN).content.decode()
    assert reverse("panels:panel", args=[invited.slug]) + "#reserves" in page
    assert reverse("panels:replace_from_reserves", args=[invited.slug]) in page
    assert 'class="needs-reserves"' in page
    panel = client.get(reverse("panels:panel", args=[invited.slug])).content.decode()
    assert 'id="reserves"' in panel
