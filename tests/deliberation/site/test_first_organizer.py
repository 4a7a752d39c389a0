"""A new installation gets its first organizer from one command; the rest is the product."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from deliberation.core.access import has_role
from deliberation.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_command_creates_an_organizer_who_signs_in_with_a_code():
    out = io.StringIO()
    call_command("first_organizer", "Chief@City.example", "--name", "박주무관", stdout=out)
    user = get_user_model().objects.get(email="chief@city.example")
    assert has_role(user, Role.ORGANIZER) and not user.has_usable_password()
    assert "/accounts/login/code/?email=chief@city.example" in out.getvalue()


def test_a_malformed_address_is_refused_and_nothing_is_created():
    with translation.override("en"), pytest.raises(CommandError, match="not an e-mail address"):
        call_command("first_organizer", "not-an-address", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
