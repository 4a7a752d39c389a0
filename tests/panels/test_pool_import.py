import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from panels.models import Volunteer, VolunteerContact
from tests.factories import DeliberationFactory
from tests.panels.pool_helpers import BALANCED_QUOTAS, set_quotas

HEADER = "id,name,email,phone,region,gender\n"


def upload(client, deliberation, name, data: bytes):
    url = reverse("panels:pool", kwargs={"slug": deliberation.slug})
    return client.post(
        url, {"file": SimpleUploadedFile(name, data)}, headers={"accept-language": "en"}
    )


@pytest.fixture
def deliberation(db):
    deliberation = DeliberationFactory()
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    return deliberation


def test_a_valid_csv_adds_volunteers_and_contacts(client, organizer, deliberation):
    client.force_login(organizer)
    data = HEADER + "a1,김철수,A@Example.org,010-1234-5678,도심권,남성\na2,,,,동북권,여성\n"
    assert upload(client, deliberation, "pool.csv", data.encode()).status_code == 302
    assert deliberation.volunteers.count() == 2
    contact = VolunteerContact.objects.get(volunteer__external_id="a1")
    assert (contact.email_key, contact.phone_key) == ("a@example.org", "01012345678")
    assert Volunteer.objects.get(external_id="a1").features == {
        "region": "도심권",
        "gender": "남성",
    }


def test_an_xlsx_file_is_read(client, organizer, deliberation):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "region", "gender"])
    sheet.append([101, "도심권", "여성"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(organizer)
    assert upload(client, deliberation, "pool.xlsx", buffer.getvalue()).status_code == 302
    assert list(deliberation.volunteers.values_list("external_id", flat=True)) == ["101"]


def test_an_unknown_value_is_reported_with_row_and_column_and_nothing_is_imported(
    client, organizer, deliberation
):
    client.force_login(organizer)
    data = HEADER + "a1,,,,도심권,남성\na2,,,,강남,여성\n"
    response = upload(client, deliberation, "pool.csv", data.encode())
    assert response.status_code == 400
    issue = response.context["issues"][0]
    assert (issue.row, issue.column, issue.value) == (3, "region", "강남")
    assert deliberation.volunteers.count() == 0


def test_the_same_person_twice_is_reported_and_nothing_is_imported(client, organizer, deliberation):
    client.force_login(organizer)
    data = HEADER + "a1,,x@example.org,,도심권,남성\na2,,X@example.org ,,동북권,여성\n"
    response = upload(client, deliberation, "pool.csv", data.encode())
    assert response.status_code == 400
    assert [(i.row, i.column) for i in response.context["issues"]] == [(3, "email")]
    assert deliberation.volunteers.count() == 0


def test_a_person_already_in_the_pool_is_a_duplicate(client, organizer, deliberation):
    client.force_login(organizer)
    upload(client, deliberation, "pool.csv", (HEADER + "a1,,,010 1111 2222,도심권,남성\n").encode())
    response = upload(
        client, deliberation, "pool.csv", (HEADER + "b1,,,+82 10-1111-2222,도심권,남성\n").encode()
    )
    assert response.status_code == 400
    assert response.context["issues"][0].column == "phone"
    assert deliberation.volunteers.count() == 1


def test_a_duplicate_id_is_reported(client, organizer, deliberation):
    client.force_login(organizer)
    response = upload(
        client,
        deliberation,
        "pool.csv",
        (HEADER + "a1,,,,도심권,남성\na1,,,,도심권,여성\n").encode(),
    )
    assert [(i.row, i.column) for i in response.context["issues"]] == [(3, "id")]
    assert deliberation.volunteers.count() == 0


def test_a_missing_feature_column_is_reported(client, organizer, deliberation):
    client.force_login(organizer)
    response = upload(
        client, deliberation, "pool.csv", b"id,region\na1,\xeb\x8f\x84\xec\x8b\xac\xea\xb6\x8c\n"
    )
    assert response.status_code == 400
    assert response.context["issues"][0].column == "gender"


def test_a_file_that_is_not_a_table_changes_nothing(client, organizer, deliberation):
    client.force_login(organizer)
    response = upload(client, deliberation, "pool.xlsx", b"not a workbook")
    assert response.status_code == 400
    assert "XLSX" in response.content.decode()
    assert deliberation.volunteers.count() == 0


def test_contacts_page_is_refused_to_analysts(client, analyst, deliberation):
    client.force_login(analyst)
    url = reverse("panels:contacts", kwargs={"slug": deliberation.slug})
    assert client.get(url).status_code == 403


def test_erasing_contacts_keeps_the_volunteers(client, organizer, deliberation):
    client.force_login(organizer)
    upload(
        client, deliberation, "pool.csv", (HEADER + "a1,김,a@example.org,,도심권,남성\n").encode()
    )
    url = reverse("surveys:erase_contacts", kwargs={"slug": deliberation.slug})
    client.post(url, {"confirmation": deliberation.slug})
    contact = VolunteerContact.objects.get()
    assert (contact.name, contact.email, contact.erased_at is not None) == ("", "", True)
    assert deliberation.volunteers.count() == 1
