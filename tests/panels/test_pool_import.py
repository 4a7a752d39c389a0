import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from deliberation.core.actions import ActionRefused
from panels import actions
from panels.models import PanelQuota, PollTarget, PoolImport, Volunteer, VolunteerContact
from tests.factories import DeliberationFactory
from tests.panels.pool_helpers import BALANCED_QUOTAS, set_quotas

HEADER = "id,name,email,phone,region,gender\n"


def upload(client, deliberation, name, data: bytes):
    """Upload a file, let the worker handle it, and return the pool page then shown.

    The upload's own response is kept as ``posted``.
    """
    url = reverse("panels:pool", kwargs={"slug": deliberation.slug})
    posted = client.post(
        url, {"file": SimpleUploadedFile(name, data)}, headers={"accept-language": "en"}
    )
    for pk in PoolImport.objects.filter(status="queued").values_list("pk", flat=True):
        actions.import_pool_file(pk)
    page = client.get(url, headers={"accept-language": "en"})
    page.posted = posted
    return page


@pytest.fixture
def deliberation(db):
    deliberation = DeliberationFactory()
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    return deliberation


def test_a_valid_csv_adds_volunteers_and_contacts(client, organizer, deliberation):
    client.force_login(organizer)
    data = HEADER + "a1,김철수,A@Example.org,010-1234-5678,도심권,남성\na2,,,,동북권,여성\n"
    assert upload(client, deliberation, "pool.csv", data.encode()).posted.status_code == 302
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
    assert upload(client, deliberation, "pool.xlsx", buffer.getvalue()).posted.status_code == 302
    assert list(deliberation.volunteers.values_list("external_id", flat=True)) == ["101"]


def test_an_unknown_value_is_reported_with_row_and_column_and_nothing_is_imported(
    client, organizer, deliberation
):
    client.force_login(organizer)
    data = HEADER + "a1,,,,도심권,남성\na2,,,,강남,여성\n"
    response = upload(client, deliberation, "pool.csv", data.encode())
    assert response.context["latest_import"].status == "failed"
    issue = response.context["issues"][0]
    assert (issue.row, issue.column, issue.value) == (3, "region", "강남")
    assert deliberation.volunteers.count() == 0


def test_the_same_person_twice_is_reported_and_nothing_is_imported(client, organizer, deliberation):
    client.force_login(organizer)
    data = HEADER + "a1,,x@example.org,,도심권,남성\na2,,X@example.org ,,동북권,여성\n"
    response = upload(client, deliberation, "pool.csv", data.encode())
    assert response.context["latest_import"].status == "failed"
    assert [(i.row, i.column) for i in response.context["issues"]] == [(3, "email")]
    assert deliberation.volunteers.count() == 0


def test_a_person_already_in_the_pool_is_a_duplicate(client, organizer, deliberation):
    client.force_login(organizer)
    upload(client, deliberation, "pool.csv", (HEADER + "a1,,,010 1111 2222,도심권,남성\n").encode())
    response = upload(
        client, deliberation, "pool.csv", (HEADER + "b1,,,+82 10-1111-2222,도심권,남성\n").encode()
    )
    assert response.context["latest_import"].status == "failed"
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
    assert response.context["latest_import"].status == "failed"
    assert response.context["issues"][0].column == "gender"


def test_a_file_that_is_not_a_table_changes_nothing(client, organizer, deliberation):
    client.force_login(organizer)
    response = upload(client, deliberation, "pool.xlsx", b"not a workbook")
    assert response.context["latest_import"].status == "failed"
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


def test_the_upload_only_queues_the_file_for_the_worker(client, organizer, deliberation):
    client.force_login(organizer)
    url = reverse("panels:pool", kwargs={"slug": deliberation.slug})
    data = (HEADER + "a1,,,,도심권,남성\n").encode()
    assert client.post(url, {"file": SimpleUploadedFile("pool.csv", data)}).status_code == 302
    queued = PoolImport.objects.get()
    assert (queued.status, queued.created_by) == ("queued", organizer)
    assert deliberation.volunteers.count() == 0
    assert actions.import_pool_file(queued.pk) == "done"
    queued.refresh_from_db()
    assert (queued.imported, deliberation.volunteers.count()) == (1, 1)


def test_the_task_is_queued_after_commit_and_adds_the_volunteers(
    client, organizer, deliberation, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    url = reverse("panels:pool", kwargs={"slug": deliberation.slug})
    data = (HEADER + "a1,,,,도심권,남성\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": SimpleUploadedFile("pool.csv", data)})
    pool_import = PoolImport.objects.get()
    assert (pool_import.status, bool(pool_import.task_id)) == ("done", True)
    assert deliberation.volunteers.count() == 1


def test_a_file_left_running_by_a_dead_worker_is_added_once(organizer, deliberation):
    pool_import = actions.do_queue_pool_import(
        deliberation,
        filename="pool.csv",
        content=(HEADER + "a1,,,,도심권,남성\n").encode(),
        actor=organizer,
        language="en",
    )
    # The worker was killed mid-job: its transaction was rolled back, the row left running.
    PoolImport.objects.filter(pk=pool_import.pk).update(status="running")
    assert actions.import_pool_file(pool_import.pk) == "done"
    assert actions.import_pool_file(pool_import.pk) == "done"
    assert deliberation.volunteers.count() == 1


def test_the_pool_page_follows_a_queued_file_and_its_status(client, organizer, deliberation):
    client.force_login(organizer)
    pool_import = actions.do_queue_pool_import(
        deliberation,
        filename="pool.csv",
        content=(HEADER + "a1,,,,도심권,남성\n").encode(),
        actor=organizer,
        language="en",
    )
    status_url = reverse(
        "panels:pool_import_status",
        kwargs={"slug": deliberation.slug, "pool_import_id": pool_import.pk},
    )
    page = client.get(reverse("panels:pool", kwargs={"slug": deliberation.slug}))
    assert f'data-status-url="{status_url}"' in page.content.decode()
    assert client.get(status_url).json()["finished"] is False
    actions.import_pool_file(pool_import.pk)
    data = client.get(status_url).json()
    assert (data["status"], data["finished"]) == ("done", True)


def test_an_organizer_cancels_a_queued_file_and_nobody_is_added(client, organizer, deliberation):
    pool_import = actions.do_queue_pool_import(
        deliberation,
        filename="pool.csv",
        content=(HEADER + "a1,,,,도심권,남성\n").encode(),
        actor=organizer,
        language="en",
    )
    client.force_login(organizer)
    url = reverse(
        "panels:cancel_pool_import",
        kwargs={"slug": deliberation.slug, "pool_import_id": pool_import.pk},
    )
    assert client.post(url).status_code == 302
    assert actions.import_pool_file(pool_import.pk) == "cancelled"
    assert deliberation.volunteers.count() == 0
    with pytest.raises(ActionRefused):
        actions.do_cancel_pool_import(pool_import)


@pytest.fixture
def by_opinion(deliberation):
    """The deliberation draws by prior opinion too: targets from the poll, quotas saved."""
    for order, (value, share) in enumerate([("찬성", "0.5"), ("반대", "0.4"), ("무응답", "0.1")]):
        PollTarget.objects.create(
            deliberation=deliberation,
            feature="opinion",
            value=value,
            order=order,
            share=share,
            margin_of_error="0.02",
            respondents=100,
        )
        PanelQuota.objects.create(
            deliberation=deliberation, feature="opinion", value=value, min=0, max=10
        )
    return deliberation


def test_a_file_without_the_opinion_column_puts_everyone_in_no_answer(
    client, organizer, by_opinion
):
    client.force_login(organizer)
    data = HEADER + "a1,,,,도심권,남성\na2,,,,동북권,여성\n"
    response = upload(client, by_opinion, "pool.csv", data.encode())
    assert response.context["latest_import"].status == "done"
    assert set(Volunteer.objects.values_list("features__opinion", flat=True)) == {"무응답"}


def test_an_empty_opinion_cell_is_no_answer_and_a_given_one_is_kept(client, organizer, by_opinion):
    client.force_login(organizer)
    data = "id,region,gender,opinion\na1,도심권,남성,찬성\na2,동북권,여성,\n"
    assert (
        upload(client, by_opinion, "pool.csv", data.encode()).context["latest_import"].status
        == "done"
    )
    assert dict(Volunteer.objects.values_list("external_id", "features__opinion")) == {
        "a1": "찬성",
        "a2": "무응답",
    }


def test_an_unknown_opinion_is_reported_and_nothing_is_imported(client, organizer, by_opinion):
    client.force_login(organizer)
    data = "id,region,gender,opinion\na1,도심권,남성,찬성\na2,동북권,여성,글쎄\n"
    response = upload(client, by_opinion, "pool.csv", data.encode())
    assert response.context["latest_import"].status == "failed"
    (issue,) = response.context["issues"]
    assert (issue.row, issue.column, issue.value) == (3, "opinion", "글쎄")
    assert "Unknown value" in issue.reason and "무응답" in issue.reason
    assert by_opinion.volunteers.count() == 0


def test_the_opinion_column_is_required_when_the_poll_has_no_no_answer_category(
    client, organizer, by_opinion
):
    PollTarget.objects.filter(value="무응답").delete()
    PanelQuota.objects.filter(value="무응답").delete()
    client.force_login(organizer)
    response = upload(client, by_opinion, "pool.csv", (HEADER + "a1,,,,도심권,남성\n").encode())
    assert [(i.column, i.code) for i in response.context["issues"]] == [
        ("opinion", "missing_column")
    ]
