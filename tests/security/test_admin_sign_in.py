"""The admin signs in through the site's sign-in, with the site's limits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def staff():
    return UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)


def test_the_admin_login_form_does_not_sign_anyone_in(client, staff):
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": staff.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_on_the_site_and_return_to_the_admin(client, staff):
    page = client.get(reverse("admin:index"), follow=True)
    assert page.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    signed_in = client.post(
        page.redirect_chain[-1][0], {"login": "staff@example.org", "password": PASSWORD}
    )
    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_admin_passwords_meet_the_site_limit(client, staff):
    login = reverse("account_login") + "?next=/admin/"
    for _ in range(5):
        client.post(login, {"login": "staff@example.org", "password": "wrong"})
    refused = client.post(login, {"login": "staff@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert refused.status_code in (200, 429)


def test_a_signed_in_user_who_is_not_staff_is_refused_without_a_loop(client):
    client.force_login(UserFactory(role="organizer"))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
