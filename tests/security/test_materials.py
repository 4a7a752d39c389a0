"""Materials are served by a checked view: the panel and staff of their deliberation only."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deliberation.forum.models import Material
from panels.models import Panelist
from tests.factories import PanelistFactory, SessionFactory, UserFactory, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = SessionFactory()
    item = Material(session=session, title="자료집 1")
    item.file.save("자료집 1.pdf", ContentFile(b"%PDF-1.7 the reading"), save=False)
    item.save()
    return item


def url(material):
    return reverse("forum:material_file", args=[material.pk])


def test_a_panelist_of_the_deliberation_opens_a_pdf_in_the_browser(client, material):
    seat = PanelistFactory(deliberation=material.session.deliberation)
    client.force_login(seat.user)
    response = client.get(url(material))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the reading"


def test_a_panelist_of_another_deliberation_or_a_declined_seat_is_refused(client, material):
    client.force_login(PanelistFactory().user)
    assert client.get(url(material)).status_code == 403
    declined = PanelistFactory(
        deliberation=material.session.deliberation, status=Panelist.Status.DECLINED
    )
    client.force_login(declined.user)
    assert client.get(url(material)).status_code == 403
    client.logout()
    assert client.get(url(material)).status_code == 302


def test_the_file_is_stored_privately_under_an_unguessable_name(material, settings):
    name = material.file.name
    assert name.startswith("materials/") and name.endswith(".pdf")
    assert len(name.split("/")[1]) == 32  # a random folder
    assert material.file.path.startswith(str(settings.MEDIA_ROOT / "private"))


def test_a_document_is_sent_as_an_attachment(client, material):
    material.file.save("안내.docx", ContentFile(b"PK\x03\x04 a document"), save=True)
    organizer = UserFactory()
    join(organizer, material.session.deliberation, "organizer")
    client.force_login(organizer)
    response = client.get(url(material))
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "name,content",
    [
        ("page.html", b"<script>alert(1)</script>"),
        ("drawing.svg", b"<svg onload=alert(1)>"),
        ("fake.pdf", b"<script>not a pdf</script>"),
        ("tool.exe", b"MZ\x90\x00"),
    ],
)
def test_an_upload_that_is_not_a_document_or_image_is_refused(
    client, material, name, content, user_with_role
):
    client.force_login(user_with_role("organizer"))
    page = client.post(
        reverse("forum:materials", args=[material.session_id]),
        {"title": "x", "order": 1, "file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200 and "not one of them" in page.content.decode()
    assert Material.objects.count() == 1


def test_an_upload_over_the_size_limit_is_refused(client, material, settings, user_with_role):
    settings.MATERIAL_MAX_BYTES = 1000
    client.force_login(user_with_role("organizer"))
    client.post(
        reverse("forum:materials", args=[material.session_id]),
        {"title": "big", "order": 1, "file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000)},
    )
    assert Material.objects.count() == 1
