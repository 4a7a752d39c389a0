"""The organizer's publication settings: what the public page shows, and since when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deliberation.core.actions import ActionRefused
from deliberation.core.models import AuditLogEntry
from deliberation.core.roles import Role
from deliberation.report.actions import do_set_publication
from deliberation.report.models import Publication
from tests.deliberation.site.public_fixtures import ALL_PARTS
from tests.factories import UserFactory, join

pytestmark = pytest.mark.django_db


def settings_of(public, **overrides):
    values = {
        "published": True,
        "parts": ALL_PARTS,
        "licence": "CC0-1.0",
        "publish_microdata": False,
        "actor": public["organizer"],
        **overrides,
    }
    return do_set_publication(public["deliberation"], **values)


def state():
    return list(Publication.objects.values()), AuditLogEntry.objects.count()


def test_republishing_keeps_the_first_publication_moment(public):
    first = Publication.objects.get(deliberation=public["deliberation"]).published_at
    assert settings_of(public, licence="CC0-1.0").published_at == first


def test_a_change_is_in_the_audit_log(public):
    settings_of(public, licence="CC0-1.0")
    entry = AuditLogEntry.objects.filter(event_type="publication.updated").latest("pk")
    assert entry.changes["licence"] == ["CC-BY-4.0", "CC0-1.0"]


def test_unknown_licence_is_refused_and_nothing_changes(public):
    before = state()
    with pytest.raises(ActionRefused) as refused:
        settings_of(public, licence="all-rights-reserved")
    assert refused.value.code == "unknown_licence"
    assert state() == before


def test_unknown_part_is_refused_and_nothing_changes(public):
    before = state()
    with pytest.raises(ActionRefused) as refused:
        settings_of(public, parts={"show_contacts": True})
    assert refused.value.code == "unknown_part"
    assert state() == before


def test_an_analyst_may_not_publish(public):
    analyst = UserFactory(role=Role.ANALYST)
    join(analyst, public["deliberation"], Role.ANALYST)
    before = state()
    with pytest.raises(ActionRefused):
        settings_of(public, actor=analyst, published=False)
    assert state() == before


def test_organizer_unpublishes_on_the_settings_page(client, public):
    client.force_login(public["organizer"])
    url = reverse("report:publication", args=[public["deliberation"].slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"licence": "KOGL-Type1", "show_panel": "on"})
    assert response.status_code == 302
    publication = Publication.objects.get(deliberation=public["deliberation"])
    assert publication.published_at is None
    assert publication.show_panel and not publication.show_results
