"""Bounds on uploads: oversized bodies, zip bombs, row caps, damaged workbooks.

A refused file stores nothing and says why; a body beyond what its page may receive is
answered 413 before it is read, by the ASGI wrapper and by Daphne itself.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from channels.testing import HttpCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from config.body_limits import BodyLimit
from deliberation.core.file_limits import FileLimits, FileTooLarge, xlsx_rows
from panels import actions as panel_actions
from panels.models import PoolImport, Volunteer
from surveys.models import PollImport
from surveys.poll_files import PollFileError, read_table
from tests.factories import DeliberationFactory
from tests.surveys.conftest import EN
from tests.surveys.factories import WaveFactory

pytestmark = pytest.mark.django_db


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(content: bytes, sheet_xml: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced (the way a bomb is built)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(item.filename, data)
    return out.getvalue()


def bomb(rows: int = 60_000, columns: int = 20) -> bytes:
    """A valid workbook whose sheet is megabytes of one repeated cell: kilobytes zipped."""
    cells = "".join('<c t="inlineStr"><is><t>1</t></is></c>' for _ in range(columns))
    body = "".join(f"<row>{cells}</row>" for _ in range(rows))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()
    return with_sheet(workbook([["id"]]), xml)


@pytest.fixture
def organizer_client(client, user_with_role):
    client.force_login(user_with_role("organizer"))
    return client


def test_an_xlsx_zip_bomb_is_refused_before_it_is_parsed():
    content = bomb()
    assert len(content) < 500_000
    with pytest.raises(FileTooLarge) as refused:
        xlsx_rows(content, FileLimits())
    assert refused.value.kind == "ratio"


def test_a_workbook_expanding_beyond_the_limit_is_refused_whatever_its_ratio():
    content = workbook([["id", "Q1"], ["R1", 2]])
    with pytest.raises(FileTooLarge) as refused:
        xlsx_rows(content, FileLimits(max_uncompressed_bytes=1_000))
    assert refused.value.kind == "expanded"


def test_an_uploaded_zip_bomb_stores_no_poll_import(organizer_client):
    wave = WaveFactory()
    upload = SimpleUploadedFile("firm.xlsx", bomb())
    response = organizer_client.post(
        reverse("surveys:import_upload", args=[wave.pk]), {"file": upload}, **EN
    )
    assert response.status_code == 400
    assert "compressed more than 100 times" in response.content.decode()
    assert not PollImport.objects.exists()


def test_reading_a_workbook_stops_at_the_row_cap():
    content = workbook([["id"]] + [[f"R{k}"] for k in range(30)])
    assert len(xlsx_rows(content, FileLimits(max_rows=30))) == 31
    with pytest.raises(FileTooLarge) as refused:
        xlsx_rows(content, FileLimits(max_rows=29))
    assert refused.value.kind == "rows"


def test_a_poll_csv_beyond_the_row_cap_stores_nothing(organizer_client, settings):
    settings.UPLOAD_MAX_ROWS = 100
    wave = WaveFactory()
    rows = "".join(f"R{k},1\n" for k in range(101))
    upload = SimpleUploadedFile("firm.csv", f"respondent_id,Q1\n{rows}".encode())
    response = organizer_client.post(
        reverse("surveys:import_upload", args=[wave.pk]), {"file": upload}, **EN
    )
    assert response.status_code == 400
    assert "more than 100 data rows" in response.content.decode()
    assert not PollImport.objects.exists()


def test_a_poll_csv_at_the_row_cap_is_kept_for_mapping(organizer_client, settings):
    settings.UPLOAD_MAX_ROWS = 100
    wave = WaveFactory()
    rows = "".join(f"R{k},1\n" for k in range(100))
    upload = SimpleUploadedFile("firm.csv", f"respondent_id,Q1\n{rows}".encode())
    response = organizer_client.post(
        reverse("surveys:import_upload", args=[wave.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert PollImport.objects.count() == 1


def test_a_file_beyond_the_size_limit_is_refused_by_the_reader():
    with pytest.raises(PollFileError) as refused:
        read_table("firm.csv", b"respondent_id\n" + b"R1\n" * 400, FileLimits(max_bytes=1000))
    assert refused.value.limit is not None and refused.value.limit.kind == "bytes"


DAMAGED_WORKBOOKS = {
    "not_a_zip": b"PK\x03\x04 this is not an archive",
    "no_workbook_part": None,  # a zip without xl/workbook.xml: openpyxl's KeyError
    "broken_sheet_xml": None,  # the sheet's XML cut short: a ParseError while reading rows
}


def damaged(kind: str) -> bytes:
    if kind == "not_a_zip":
        return DAMAGED_WORKBOOKS[kind]  # type: ignore[return-value]
    if kind == "no_workbook_part":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
        return out.getvalue()
    return with_sheet(
        workbook([["id", "region"], ["v1", "도심권"]]), b"<worksheet><sheetData><row>"
    )


def pool_upload_handled(client, deliberation, upload):
    """Upload a volunteer file, let the worker handle it, return the pool page then shown."""
    url = reverse("panels:pool", args=[deliberation.slug])
    assert client.post(url, {"file": upload}, **EN).status_code == 302
    for pk in PoolImport.objects.filter(status="queued").values_list("pk", flat=True):
        panel_actions.import_pool_file(pk)
    return client.get(url, **EN)


@pytest.mark.parametrize("kind", sorted(DAMAGED_WORKBOOKS))
def test_a_damaged_workbook_in_the_pool_import_is_a_form_error(organizer_client, kind):
    deliberation = DeliberationFactory()
    upload = SimpleUploadedFile("pool.xlsx", damaged(kind))
    response = pool_upload_handled(organizer_client, deliberation, upload)
    assert response.context["latest_import"].status == "failed"
    assert "The file cannot be read" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_a_pool_file_beyond_the_row_cap_imports_nobody(organizer_client, settings):
    settings.UPLOAD_MAX_ROWS = 10
    deliberation = DeliberationFactory()
    rows = "".join(f"v{k}\n" for k in range(11))
    upload = SimpleUploadedFile("pool.csv", f"id\n{rows}".encode())
    response = pool_upload_handled(organizer_client, deliberation, upload)
    assert response.context["latest_import"].status == "failed"
    assert "more than 10 data rows" in response.content.decode()
    assert not Volunteer.objects.exists()


# The ASGI wrapper, on its own and in front of Django.


async def echo(scope, receive, send):
    """An application that reads the whole body, as Django does."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def post(path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> HttpCommunicator:
    return HttpCommunicator(BodyLimit(echo), "POST", path, body=body, headers=headers)


async def test_a_declared_length_beyond_the_limit_is_refused_before_the_body_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    reads = []

    async def receive():
        reads.append(1)
        return {"type": "http.request", "body": b"x" * 2000}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/accounts/login/",
        "headers": [(b"content-length", b"200000000")],
    }
    await BodyLimit(echo)(scope, receive, send)
    assert sent[0]["status"] == 413 and not reads
    assert b"Request too large" in sent[1]["body"]


async def test_a_streamed_body_is_cut_off_when_it_passes_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    communicator = post("/accounts/login/", b"x" * 5000, [])  # no Content-Length: chunked
    response = await communicator.get_response()
    assert response["status"] == 413


async def test_a_body_within_the_limit_reaches_the_application(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    communicator = post("/accounts/login/", b"x" * 900, [(b"content-length", b"900")])
    response = await communicator.get_response()
    assert response["status"] == 200 and response["body"] == b"900"


async def test_an_upload_page_takes_a_body_up_to_its_file_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.UPLOAD_MAX_BYTES = 2_000_000
    body = b"x" * 1_500_000
    path = reverse("surveys:import_upload", args=[1])
    accepted = post(path, body, [(b"content-length", str(len(body)).encode())])
    assert (await accepted.get_response())["status"] == 200
    too_big = b"x" * 3_100_000
    refused = post(path, too_big, [(b"content-length", str(len(too_big)).encode())])
    assert (await refused.get_response())["status"] == 413


def test_django_limits_are_set():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 10
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5_000_000
