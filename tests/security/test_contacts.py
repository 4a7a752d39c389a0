"""Contact details reach only organizers who hold the contact permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from deliberation.core.roles import Role
from tests.factories import DeliberationFactory, PanelistFactory, UserFactory, join
from tests.panels.pool_helpers import add_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool():
    deliberation = DeliberationFactory()
    add_pool(deliberation, {("도심권", "여성"): 3})
    PanelistFactory(deliberation=deliberation, user__email="seat.holder@example.org")
    return deliberation


def organizer(with_contacts: bool, deliberation):
    user = UserFactory()
    join(user, deliberation, Role.ORGANIZER)
    if with_contacts:
        user.user_permissions.add(Permission.objects.get(codename="view_volunteer_contacts"))
    return user


def test_an_organizer_without_the_permission_sees_no_contacts(client, pool):
    client.force_login(organizer(with_contacts=False, deliberation=pool))
    slug = {"slug": pool.slug}
    assert client.get(reverse("panels:contacts", kwargs=slug)).status_code == 403
    for name in ("panels:pool", "panels:panel"):
        body = client.get(reverse(name, kwargs=slug)).content.decode()
        assert "@example.org" not in body and "시민 V0000" not in body, name


def test_an_organizer_with_the_permission_sees_them(client, pool):
    client.force_login(organizer(with_contacts=True, deliberation=pool))
    slug = {"slug": pool.slug}
    contacts = client.get(reverse("panels:contacts", kwargs=slug)).content.decode()
    assert "v00001@example.org" in contacts and "시민 V00001" in contacts
    panel = client.get(reverse("panels:panel", kwargs=slug)).content.decode()
    assert "seat.holder@example.org" in panel
