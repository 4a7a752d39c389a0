"""Errors are shown in the site's layout and the visitor's language, never Django's pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.urls("tests.security.error_urls")
@pytest.mark.parametrize(
    "language,text", [("ko", "문제가 생겼습니다"), ("en", "Something went wrong on our side")]
)
def test_a_failing_page_shows_our_500_page(settings, language, text):
    settings.DEBUG = False
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert text in body and 'class="skip-link"' in body and "RuntimeError" not in body


@pytest.mark.parametrize(
    "language,text", [("ko", "양식의 유효 시간이 지났습니다"), ("en", "This form has expired")]
)
def test_a_form_without_its_token_shows_our_csrf_page(language, text):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert text in body and 'class="skip-link"' in body and "CSRF" not in body
