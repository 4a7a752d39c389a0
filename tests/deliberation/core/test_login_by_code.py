"""Login by e-mailed code: the way panelists who never set a password sign in."""

from __future__ import annotations

import re

import pytest
from allauth.account.internal.flows import code_verification
from django.core import mail
from django.urls import reverse

from deliberation.core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("empty_cache")

CODE_PATTERN = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6,})\s*$", re.MULTILINE)


@pytest.fixture
def member(db):
    return UserFactory(role=Role.PANELIST, email="citizen@example.org")


def request_code(client, email: str):
    mail.outbox.clear()
    return client.post(reverse("account_request_login_code"), {"email": email})


def mailed_code() -> str:
    assert len(mail.outbox) == 1, "exactly one e-mail with a code"
    match = CODE_PATTERN.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def confirm(client, code: str):
    return client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_mailed_code_signs_the_member_in(client, member):
    response = request_code(client, member.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    confirm(client, mailed_code())
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == member.pk


def test_the_code_email_is_in_korean_by_default(client, member):
    request_code(client, member.email)
    assert "로그인" in mail.outbox[0].subject or "로그인" in mail.outbox[0].body


def test_a_wrong_code_is_refused_with_a_message(client, member):
    request_code(client, member.email)
    good = mailed_code()
    wrong = "AAAA-AAAA" if good != "AAAA-AAAA" else "BBBB-BBBB"
    response = confirm(client, wrong)
    assert not is_signed_in(client)
    assert response.status_code == 200
    assert 'class="error-text"' in response.content.decode()


def test_an_expired_code_is_refused(client, member, monkeypatch):
    request_code(client, member.email)
    code = mailed_code()
    real_time = code_verification.time.time
    monkeypatch.setattr(code_verification.time, "time", lambda: real_time() + 3600)
    response = confirm(client, code)
    assert not is_signed_in(client)
    assert response.redirect_chain, "an expired code sends the member back to sign in"
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_a_used_code_cannot_be_replayed(client, member):
    request_code(client, member.email)
    code = mailed_code()
    confirm(client, code)
    assert is_signed_in(client)
    client.logout()
    response = confirm(client, code)
    assert not is_signed_in(client)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_a_code_works_only_in_the_browser_session_that_asked_for_it(member):
    from django.test import Client

    first_browser, second_browser = Client(), Client()
    request_code(first_browser, member.email)
    first_code = mailed_code()
    request_code(second_browser, member.email)
    confirm(second_browser, first_code)
    assert not is_signed_in(second_browser)


def test_too_many_wrong_codes_end_the_attempt(client, member):
    request_code(client, member.email)
    good = mailed_code()
    wrong = "AAAA-AAAA" if good != "AAAA-AAAA" else "BBBB-BBBB"
    for _ in range(3):
        confirm(client, wrong)
    response = confirm(client, good)
    assert not is_signed_in(client)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_requesting_codes_is_rate_limited(client, member):
    sent = 0
    for _ in range(3):
        client.cookies.clear()  # a fresh browser session each time
        assert request_code(client, member.email).status_code == 302
        sent += len(mail.outbox)
    client.cookies.clear()
    response = request_code(client, member.email)
    assert sent == 3
    assert response.status_code == 200
    assert not mail.outbox, "no code is sent past the limit"
    assert 'class="error-text"' in response.content.decode()


def test_an_unknown_address_gets_no_code_and_no_account(client, db):
    from django.contrib.auth import get_user_model

    before = get_user_model().objects.count()
    request_code(client, "stranger@example.org")
    assert get_user_model().objects.count() == before
    assert all("stranger@example.org" not in m.to for m in mail.outbox if "code" in m.body)


def test_an_invitation_link_prefills_the_address(client, db):
    url = reverse("account_request_login_code") + "?email=invited%40example.org"
    assert 'value="invited@example.org"' in client.get(url).content.decode()


def test_a_malformed_address_in_the_link_is_ignored(client, db):
    url = reverse("account_request_login_code") + "?email=%22%3E%3Cscript%3E"
    html = client.get(url).content.decode()
    assert "<script>" not in html and 'value="' not in html.split('name="email"')[1][:80]
