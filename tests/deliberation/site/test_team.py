"""An organizer invites the deliberation's team by e-mail, one by one or from a CSV."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deliberation.core.access import can_manage, can_see_contacts, on_team
from deliberation.core.models import AuditLogEntry, Membership
from deliberation.core.roles import Role
from tests.factories import DeliberationFactory, UserFactory, join

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def team(client):
    deliberation = DeliberationFactory(title="버스 노선 개편 공론화")
    organizer = UserFactory(email="first@city.example")
    join(organizer, deliberation, Role.ORGANIZER)
    client.force_login(organizer)
    return deliberation, organizer


def invite(client, deliberation, **data):
    url = reverse("deliberation:team", args=[deliberation.slug])
    return client.post(url, data, **ENGLISH)


def csv_upload(client, deliberation, text: str):
    url = reverse("deliberation:team_import", args=[deliberation.slug])
    upload = SimpleUploadedFile("team.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(url, {"file": upload}, **ENGLISH)


def test_an_invited_organizer_gets_an_account_and_a_sign_in_by_code_link(
    client, team, django_capture_on_commit_callbacks
):
    deliberation, _ = team
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, deliberation, email="Second@City.example", role="organizer", name="김영희")
    second = get_user_model().objects.get(email="second@city.example")
    assert not second.has_usable_password() and second.first_name == "김영희"
    assert EmailAddress.objects.get(user=second).verified
    assert can_manage(second, deliberation)
    (message,) = mail.outbox
    assert message.to == ["second@city.example"]
    assert "/accounts/login/code/?email=second%40city.example" in message.body


def test_an_existing_account_joins_without_a_second_account(client, team):
    deliberation, _ = team
    known = UserFactory(email="expert@univ.example")
    invite(client, deliberation, email="expert@univ.example", role="expert")
    assert get_user_model().objects.filter(email__iexact="expert@univ.example").count() == 1
    assert on_team(known, deliberation, Role.EXPERT)


def test_thirty_facilitators_are_invited_from_one_csv(
    client, team, django_capture_on_commit_callbacks
):
    deliberation, _ = team
    lines = ["email,role,name"] + [
        f"f{i:02d}@city.example,퍼실리테이터,진행자 {i:02d}" for i in range(1, 31)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        csv_upload(client, deliberation, "\n".join(lines))
    facilitators = Membership.objects.filter(deliberation=deliberation, role=Role.FACILITATOR)
    assert facilitators.count() == 30
    assert len(mail.outbox) == 30


def test_one_bad_line_refuses_the_whole_csv(client, team):
    deliberation, _ = team
    text = "email,role,name\na@city.example,facilitator,A\nnot-an-address,facilitator,B\n"
    response = csv_upload(client, deliberation, text)
    assert "Line 2: “not-an-address” is not an e-mail address." in response.content.decode()
    assert not Membership.objects.filter(role=Role.FACILITATOR).exists()
    assert not get_user_model().objects.filter(email="a@city.example").exists()


def test_a_panelist_role_cannot_be_given_from_the_team_page(client, team):
    deliberation, _ = team
    response = csv_upload(client, deliberation, "email,role\np@city.example,panelist\n")
    assert "is not a team role" in response.content.decode()
    assert not get_user_model().objects.filter(email="p@city.example").exists()


def test_a_csv_without_a_header_line_is_refused(client, team):
    deliberation, _ = team
    response = csv_upload(client, deliberation, "a@city.example,facilitator\n")
    assert "The first line must name the columns" in response.content.decode()


def test_a_removed_facilitator_loses_the_deliberation_and_the_role(client, team):
    deliberation, _ = team
    facilitator = UserFactory()
    join(facilitator, deliberation, Role.FACILITATOR)
    membership = Membership.objects.get(user=facilitator)
    client.post(reverse("deliberation:team_remove", args=[deliberation.slug, membership.pk]))
    facilitator.__dict__.pop("_gongnon_roles", None)
    assert not on_team(facilitator, deliberation)
    assert not facilitator.groups.filter(name=Role.FACILITATOR).exists()


def test_the_last_organizer_cannot_be_removed(client, team):
    deliberation, organizer = team
    membership = Membership.objects.get(user=organizer)
    response = client.post(
        reverse("deliberation:team_remove", args=[deliberation.slug, membership.pk]),
        follow=True,
        **ENGLISH,
    )
    assert "A deliberation keeps at least one organizer." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_team_page_lists_members_by_role(client, team):
    deliberation, _ = team
    join(UserFactory(email="analyst@city.example"), deliberation, Role.ANALYST)
    page = client.get(reverse("deliberation:team", args=[deliberation.slug]), **ENGLISH)
    html = page.content.decode()
    assert "first@city.example" in html and "analyst@city.example" in html
    assert html.index("Organizer") < html.index("first@city.example")


def test_an_organizer_of_another_deliberation_cannot_invite(client, team):
    deliberation, _ = team
    outsider = UserFactory()
    join(outsider, DeliberationFactory(), Role.ORGANIZER)
    client.force_login(outsider)
    response = invite(client, deliberation, email="x@city.example", role="organizer")
    assert response.status_code == 403
    assert not get_user_model().objects.filter(email="x@city.example").exists()


def contact_access(client, membership, allowed: bool):
    url = reverse(
        "deliberation:team_contact_access", args=[membership.deliberation.slug, membership.pk]
    )
    return client.post(url, {"allowed": "1" if allowed else "0"}, **ENGLISH)


def test_the_creator_of_a_deliberation_sees_its_volunteers_contacts(client):
    creator = UserFactory()
    join(creator, DeliberationFactory(), Role.ORGANIZER)  # an organizer of some deliberation
    client.force_login(creator)
    client.post(
        reverse("deliberation:create"),
        {"title": "초록시 공론화", "agenda": "버스 노선", "city": "초록시"},
        **ENGLISH,
    )
    membership = Membership.objects.get(user=creator, deliberation__city="초록시")
    assert can_see_contacts(creator, membership.deliberation_id)


def test_an_organizer_with_contact_access_gives_it_to_an_invited_organizer(client, team):
    deliberation, organizer = team
    Membership.objects.filter(user=organizer).update(sees_contacts=True)
    second = UserFactory()
    join(second, deliberation, Role.ORGANIZER)
    membership = Membership.objects.get(user=second, deliberation=deliberation)
    assert not can_see_contacts(second, deliberation)
    assert (
        "Give contact access"
        in client.get(
            reverse("deliberation:team", args=[deliberation.slug]), **ENGLISH
        ).content.decode()
    )

    contact_access(client, membership, True)
    assert can_see_contacts(second, deliberation)
    entry = AuditLogEntry.objects.get(event_type="team.contact_access")
    assert (entry.actor, entry.changes) == (organizer, {"sees_contacts": [False, True]})

    contact_access(client, membership, False)
    assert not can_see_contacts(second, deliberation)


def test_an_organizer_without_contact_access_cannot_give_it(client, team):
    deliberation, _ = team
    second = UserFactory()
    join(second, deliberation, Role.ORGANIZER)
    membership = Membership.objects.get(user=second, deliberation=deliberation)
    response = contact_access(client, membership, True)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.sees_contacts
    assert not AuditLogEntry.objects.filter(event_type="team.contact_access").exists()


def test_an_organizer_cannot_take_away_their_own_contact_access(client, team):
    deliberation, organizer = team
    Membership.objects.filter(user=organizer).update(sees_contacts=True)
    own = Membership.objects.get(user=organizer, deliberation=deliberation)
    contact_access(client, own, False)
    assert can_see_contacts(organizer, deliberation)


def test_contact_access_on_one_team_does_not_reach_another(team):
    deliberation, organizer = team
    Membership.objects.filter(user=organizer).update(sees_contacts=True)
    other = DeliberationFactory()
    join(organizer, other, Role.ORGANIZER)
    assert can_see_contacts(organizer, deliberation)
    assert not can_see_contacts(organizer, other)


def test_an_organizer_adds_a_department_officer_with_the_departments_name(
    client, team, django_capture_on_commit_callbacks
):
    deliberation, _ = team
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            client,
            deliberation,
            email="officer@seoul.example",
            role="department",
            name="이주무",
            department=" 자원순환과 ",
        )
    officer = get_user_model().objects.get(email="officer@seoul.example")
    membership = Membership.objects.get(deliberation=deliberation, user=officer)
    assert (membership.role, membership.department) == (Role.DEPARTMENT, "자원순환과")
    assert on_team(officer, deliberation, Role.DEPARTMENT)
    (message,) = mail.outbox
    assert "자원순환과" in message.body
    page = client.get(reverse("deliberation:team", args=[deliberation.slug]), **ENGLISH)
    assert "Department officer" in page.content.decode()
    assert "자원순환과" in page.content.decode()


def test_a_department_officer_without_a_department_is_refused(client, team):
    deliberation, _ = team
    response = invite(client, deliberation, email="officer@seoul.example", role="department")
    assert "Name the department this officer answers for." in response.content.decode()
    assert not get_user_model().objects.filter(email="officer@seoul.example").exists()


def test_department_officers_are_invited_from_a_csv_with_their_departments(client, team):
    deliberation, _ = team
    text = (
        "email,role,name,department\n"
        "a@seoul.example,Department officer,가,자원순환과\n"
        "b@seoul.example,department,나,시민소통과\n"
    )
    csv_upload(client, deliberation, text)
    departments = Membership.objects.filter(
        deliberation=deliberation, role=Role.DEPARTMENT
    ).values_list("user__email", "department")
    assert sorted(departments) == [
        ("a@seoul.example", "자원순환과"),
        ("b@seoul.example", "시민소통과"),
    ]


def test_a_csv_line_for_a_department_officer_without_a_department_refuses_the_file(client, team):
    deliberation, _ = team
    text = "email,role,name,department\na@seoul.example,department,가,\n"
    response = csv_upload(client, deliberation, text)
    assert "Line 1: name the department a department officer answers for." in (
        response.content.decode()
    )
    assert not Membership.objects.filter(role=Role.DEPARTMENT).exists()
