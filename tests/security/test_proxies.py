"""Behind a reverse proxy, per-address limits count each client, not the proxy."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{address}")


def test_thirty_five_panelists_behind_one_proxy_all_sign_in():
    for k in range(35):
        UserFactory(email=f"p{k:02d}@example.org")
    for k in range(35):
        client = from_address(f"198.51.100.{k + 1}")
        response = client.post(
            reverse("account_login"), {"login": f"p{k:02d}@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302, k
        assert "_auth_user_id" in client.session


def test_failures_from_one_address_do_not_lock_out_another():
    UserFactory(email="victim@example.org")
    attacker = from_address("203.0.113.66")
    for k in range(12):
        attacker.post(reverse("account_login"), {"login": f"x{k}@example.org", "password": "x"})
    neighbour = from_address("198.51.100.7")
    response = neighbour.post(
        reverse("account_login"), {"login": "victim@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in neighbour.session


def test_one_address_is_still_limited():
    UserFactory(email="own@example.org")
    attacker = from_address("203.0.113.66")
    for k in range(12):
        attacker.post(reverse("account_login"), {"login": f"x{k}@example.org", "password": "x"})
    attacker.post(reverse("account_login"), {"login": "own@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session
