"""The panel page says what happened to each seat: drawn, invited when, answered; names and
contacts only for organizers holding the contact permission."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from deliberation.core.actions import do_set_display_name
from deliberation.core.names import display_name
from deliberation.core.roles import Role
from panels import actions
from panels.models import Panelist
from tests.factories import PanelistFactory, UserFactory, join
from tests.panels.flow import computed_run

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def drawn(organizer):
    run = computed_run(organizer)
    actions.do_draw(run, "3", actor=organizer)
    return run.deliberation


def organizer_of(deliberation, *, with_contacts: bool):
    user = UserFactory()
    join(user, deliberation, Role.ORGANIZER)
    if with_contacts:
        user.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
    return user


def status_counts(page: str) -> dict[str, int]:
    counts = re.search(r'<ul class="status-counts">(.*?)</ul>', page, re.S).group(1)
    return {
        label: int(n)
        for label, n in re.findall(r"<span>([^<]+)</span> <strong>(\d+)</strong>", counts)
    }


def test_a_drawn_seat_is_not_invited_before_an_invitation_is_sent(client, drawn, organizer):
    assert set(drawn.panelists.values_list("status", flat=True)) == {Panelist.Status.DRAWN}
    assert not drawn.panelists.filter(invited_at__isnull=False).exists()
    client.force_login(organizer)
    page = client.get(reverse("panels:panel", args=[drawn.slug]), **EN).content.decode()
    assert status_counts(page)["Invited"] == 0
    assert status_counts(page)["Drawn, not yet invited"] == 10
    assert "Send 10 invitations by e-mail" in page


def test_sending_the_invitations_marks_the_seats_invited_with_the_time(
    client, drawn, organizer, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("panels:invite", args=[drawn.slug]))
    seats = drawn.panelists.all()
    assert {s.status for s in seats} == {Panelist.Status.INVITED}
    assert all(s.invited_at is not None for s in seats)
    page = client.get(reverse("panels:panel", args=[drawn.slug]), **EN).content.decode()
    assert status_counts(page)["Invited"] == 10 and "Send 10 invitations" not in page


def test_the_panel_page_counts_the_seats_per_status(client, organizer):
    seat = PanelistFactory()
    deliberation = seat.deliberation
    for status in ["confirmed", "confirmed", "declined", "invited", "dropped"]:
        PanelistFactory(deliberation=deliberation, status=status)
    client.force_login(organizer)
    page = client.get(reverse("panels:panel", args=[deliberation.slug]), **EN).content.decode()
    assert status_counts(page) == {
        "Drawn, not yet invited": 1,
        "Invited": 1,
        "Confirmed": 2,
        "Declined": 1,
        "Dropped out": 1,
        "All seats": 6,
    }


def test_marking_a_seat_invited_by_hand_records_when(organizer):
    seat = PanelistFactory()
    actions.do_set_panelist_status(seat, Panelist.Status.INVITED, actor=organizer)
    seat.refresh_from_db()
    assert seat.status == Panelist.Status.INVITED and seat.invited_at is not None


def test_a_drawn_seat_without_an_email_is_shown_as_not_reachable_by_email(client, organizer):
    seat = PanelistFactory(user__email="")
    client.force_login(organizer)
    page = client.get(reverse("panels:panel", args=[seat.deliberation.slug]), **EN).content
    assert b"1 drawn seat has no e-mail address" in page and b"invitation by e-mail" not in page


def test_drawing_the_panel_gives_each_seat_its_default_name(drawn):
    first = drawn.panelists.get(draw_position=1)
    with translation.override("en"):
        assert display_name(first.user) == "Participant 001"


def test_without_the_contact_permission_the_panel_page_shows_display_names_only(client, drawn):
    seat = drawn.panelists.select_related("volunteer__contact", "user").get(draw_position=2)
    do_set_display_name(seat.user, "한강 지킴이")
    client.force_login(organizer_of(drawn, with_contacts=False))
    page = client.get(reverse("panels:panel", args=[drawn.slug]), **EN).content.decode()
    assert "한강 지킴이" in page and "Participant 001" in page
    assert seat.user.email not in page and seat.volunteer.contact.name not in page
    assert seat.volunteer.external_id not in page and "@example.org" not in page


def test_with_the_contact_permission_the_panel_page_shows_names_and_contacts(client, drawn):
    seat = drawn.panelists.select_related("volunteer__contact", "user").get(draw_position=2)
    client.force_login(organizer_of(drawn, with_contacts=True))
    page = client.get(reverse("panels:panel", args=[drawn.slug]), **EN).content.decode()
    assert seat.user.email in page and seat.volunteer.contact.name in page
    assert seat.volunteer.external_id in page


def test_the_panel_page_shows_the_pool_funnel_and_links_to_the_whole_funnel(
    client, drawn, organizer
):
    pool = drawn.volunteers.count()
    seats = list(drawn.panelists.all())
    n = len(seats)
    actions.do_set_panelist_status(seats[0], Panelist.Status.CONFIRMED, actor=organizer)
    actions.do_set_panelist_status(seats[1], Panelist.Status.DECLINED, actor=organizer)
    client.force_login(organizer)
    page = client.get(reverse("panels:panel", args=[drawn.slug]), **EN).content.decode()
    section = page[page.index('id="funnel-heading"') :]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">([^<]+)</td>',
        section,
    )
    assert rows[:3] == [
        ("Volunteers", str(pool), "–"),
        ("Drawn", str(n), f"{100 * n / pool:.1f}%"),
        ("Confirmed", "1", f"{100 / n:.1f}%"),
    ]
    assert reverse("report:page", args=[drawn.slug]) + "#r-funnel" in section
    assert "<caption>Gender" in section  # and by stratum


def test_the_panel_page_without_a_pool_shows_no_funnel(client, organizer):
    seat = PanelistFactory(volunteer=None)
    Panelist.objects.filter(pk=seat.pk).delete()
    client.force_login(organizer)
    page = client.get(reverse("panels:panel", args=[seat.deliberation.slug]), **EN)
    assert 'id="funnel-heading"' not in page.content.decode()
