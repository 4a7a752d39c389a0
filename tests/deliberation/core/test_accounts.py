"""Password sign-in, e-mail verification and password reset."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from deliberation.core.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("empty_cache")


def test_password_sign_in_uses_the_e_mail_address(client, db):
    user = UserFactory(role=Role.ORGANIZER, email="organizer.kim@example.org")
    response = client.post(
        reverse("account_login"), {"login": "organizer.kim@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_is_refused(client, db):
    UserFactory(email="organizer.lee@example.org")
    response = client.post(
        reverse("account_login"), {"login": "organizer.lee@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_are_rate_limited(client, db):
    UserFactory(email="target@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.org", "password": "x"})
    response = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_sign_up_is_closed_unless_enabled(client, db):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-Long-pass-1234",
            "password2": "a-Long-pass-1234",
        },
    )
    assert not get_user_model().objects.filter(email="new@example.org").exists()


def test_a_new_address_must_be_verified_before_sign_in(client, db, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = True
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-Long-pass-1234",
            "password2": "a-Long-pass-1234",
        },
    )
    user = get_user_model().objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.MULTILINE).group(
        1
    )
    client.post(reverse("account_email_verification_sent"), {"code": code})
    assert EmailAddress.objects.get(user=user).verified


def test_password_reset_mails_a_link_only_to_known_addresses(client, db):
    UserFactory(email="known@example.org")
    client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
