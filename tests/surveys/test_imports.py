"""Imports from polling firms: formats, mapping, the report, all-or-nothing, idempotence."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from deliberation.core.actions import ActionRefused
from surveys import actions, imports, poll_import
from surveys.models import Answer, PollImport, Response
from surveys.poll_files import PollFileError, read_table
from tests.surveys.conftest import EN

HEADER = [
    "resp_id",
    "district",
    "sex",
    "birth_year",
    "Q1",
    "Q2_1",
    "Q2_2",
    "Q2_3",
    "Q3",
    "Q4",
    "Q5",
    "Q6",
    "Q8",
    "Q9_a",
    "Q9_b",
]
GOOD = [
    ["F001", "마포구", "여성", "1960", "1", "1", "0", "1", "4", "7", "3", "재활용", "1", "2", "5"],
    ["F002", "강남구", "남성", "1990", "2", "", "", "", "3", "10", "0", "", "2", "1", "1"],
]
BAD = [
    ["F003", "해운대구", "여성", "1980", "1", "1", "1", "1", "9", "7", "3", "", "1", "2", "5"],
]
MAPPING = {
    "resp_id": "respondent_id",
    "district": "district",
    "sex": "gender",
    "birth_year": "birth_year",
    **{c: c for c in HEADER[4:]},
}


def alive_task() -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="surveys.actions.imports.run_poll_import",
        args_kwargs={"args": [0], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="RUNNING",
    )


def csv_bytes(rows):
    out = io.StringIO()
    for row in [HEADER, *rows]:
        out.write(",".join(row) + "\n")
    return out.getvalue().encode("utf-8")


def mapping_file(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("column,target\n" + "".join(f"{c},{t}\n" for c, t in MAPPING.items()))
    return path


def test_csv_in_cp949_is_read(tmp_path):
    table = read_table("firm.csv", "id,지역\n1,마포구\n".encode("cp949"))
    assert table.rows == [["1", "마포구"]]


def test_xlsx_is_read_with_whole_numbers_as_text():
    book = openpyxl.Workbook()
    book.active.append(["id", "Q1"])
    book.active.append(["R1", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_table("firm.xlsx", buffer.getvalue()).rows == [["R1", "2"]]


def test_sav_is_read(tmp_path):
    path = tmp_path / "firm.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": ["R1", "R2"], "Q1": [1.0, None]}), str(path))
    table = read_table("firm.sav", path.read_bytes())
    assert table.columns == ["id", "Q1"] and table.rows == [["R1", "1"], ["R2", ""]]


def test_unknown_file_type_is_refused():
    with pytest.raises(PollFileError, match="not read"):
        read_table("firm.pdf", b"%PDF")


def test_duplicate_column_names_are_refused():
    with pytest.raises(PollFileError, match="twice"):
        read_table("firm.csv", b"id,id\n1,2\n")


def test_invalid_rows_block_the_whole_import(tmp_path, wave):
    data = tmp_path / "firm.csv"
    data.write_bytes(csv_bytes(GOOD + BAD))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_poll", wave.pk, str(data), mapping=str(mapping_file(tmp_path)))
    assert not Response.objects.exists()


def test_report_lists_every_bad_cell_with_row_column_value_and_reason(tmp_path, wave):
    data = tmp_path / "firm.csv"
    data.write_bytes(csv_bytes(GOOD + BAD))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_poll", wave.pk, str(data), mapping=str(mapping_file(tmp_path)), stdout=out
        )
    report = out.getvalue()
    assert "row 3, column district, value '해운대구'" in report
    assert "row 3, column Q2_1" in report  # three choices where two are allowed
    assert "row 3, column Q3, value '9'" in report


def test_skip_mode_imports_the_valid_rows_only(tmp_path, wave):
    data = tmp_path / "firm.csv"
    data.write_bytes(csv_bytes(GOOD + BAD))
    call_command(
        "import_poll",
        wave.pk,
        str(data),
        mapping=str(mapping_file(tmp_path)),
        skip_invalid=True,
        stdout=io.StringIO(),
    )
    assert sorted(Response.objects.values_list("respondent_id", flat=True)) == ["F001", "F002"]
    first = Response.objects.get(respondent_id="F001")
    assert (first.region, first.gender, first.age_band) == ("서북권", "여성", "60+")
    assert first.source == "imported" and first.status == "complete"
    assert Answer.objects.get(response=first, item="Q2_3").value_number == 1
    second = Response.objects.get(respondent_id="F002")
    assert not Answer.objects.filter(response=second, item__startswith="Q2").exists()


def test_reimporting_the_same_file_adds_nothing(tmp_path, wave):
    data = tmp_path / "firm.csv"
    data.write_bytes(csv_bytes(GOOD))
    for _ in range(2):
        call_command(
            "import_poll",
            wave.pk,
            str(data),
            mapping=str(mapping_file(tmp_path)),
            stdout=io.StringIO(),
        )
    assert Response.objects.count() == 2
    assert Answer.objects.filter(response__respondent_id="F001").count() == 11


def test_duplicate_respondent_ids_in_a_file_are_invalid(tmp_path, wave):
    data = tmp_path / "firm.csv"
    data.write_bytes(csv_bytes(GOOD + [GOOD[0]]))
    out = io.StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        call_command(
            "import_poll", wave.pk, str(data), mapping=str(mapping_file(tmp_path)), stdout=out
        )
    assert "already used in row 1" in out.getvalue()


def test_mapping_without_a_respondent_id_is_refused(tmp_path, wave):
    data = tmp_path / "firm.csv"
    data.write_bytes(csv_bytes(GOOD))
    path = tmp_path / "mapping.csv"
    path.write_text("column,target\nQ1,Q1\n")
    with pytest.raises(CommandError, match="respondent id"):
        call_command("import_poll", wave.pk, str(data), mapping=str(path))


def test_organizer_imports_through_the_pages(
    client, organizer, wave, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    upload = SimpleUploadedFile("firm.csv", csv_bytes(GOOD + BAD), content_type="text/csv")
    page = client.post(reverse("surveys:import_upload", args=[wave.pk]), {"file": upload})
    poll = PollImport.objects.get()
    assert page["Location"] == reverse("surveys:import_mapping", args=[poll.pk])
    form = {f"c{i}": MAPPING[c] for i, c in enumerate(HEADER)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:import_mapping", args=[poll.pk]), form, **EN)
    report_url = reverse("surveys:import_report", args=[poll.pk])
    html = client.get(report_url, **EN).content.decode()
    assert "not one of the deliberation" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url, {})
    assert not Response.objects.exists()
    html = client.get(report_url, **EN).content.decode()
    assert "Nothing was imported: some rows are invalid" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url, {"skip_invalid": "on"})
    assert Response.objects.count() == 2
    poll.refresh_from_db()
    assert poll.status == "imported" and poll.report["result"]["created"] == 2
    assert "2 new respondents" in client.get(report_url, **EN).content.decode()


def test_the_pages_only_queue_the_check_and_the_import_for_the_worker(client, organizer, wave):
    client.force_login(organizer)
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    form = {f"c{i}": MAPPING[c] for i, c in enumerate(HEADER)}
    client.post(reverse("surveys:import_mapping", args=[poll.pk]), form)
    poll.refresh_from_db()
    assert (poll.status, poll.job, poll.job_status) == ("uploaded", "check", "queued")
    assert poll.report == {}
    assert actions.run_import_job(poll.pk) == "done"
    client.post(reverse("surveys:import_report", args=[poll.pk]), {})
    poll.refresh_from_db()
    assert (poll.status, poll.job, poll.job_status) == ("validated", "import", "queued")
    assert not Response.objects.exists()
    assert actions.run_import_job(poll.pk) == "done"
    assert Response.objects.count() == 2


def test_the_page_of_a_queued_import_follows_its_status(client, organizer, wave):
    client.force_login(organizer)
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    actions.do_queue_check(poll, MAPPING)
    status_url = reverse("surveys:import_status", args=[poll.pk])
    html = client.get(reverse("surveys:import_report", args=[poll.pk]), **EN).content.decode()
    assert f'data-status-url="{status_url}"' in html
    assert "Checking the file: Queued" in html
    data = client.get(status_url, **EN).json()
    assert (data["status"], data["finished"]) == ("queued", False)
    actions.run_import_job(poll.pk)
    data = client.get(status_url, **EN).json()
    assert (data["status"], data["finished"]) == ("done", True)


def test_an_import_run_again_after_its_worker_died_adds_nothing(wave):
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    actions.do_queue_check(poll, MAPPING)
    actions.run_import_job(poll.pk)
    actions.do_queue_import(poll)
    actions.run_import_job(poll.pk)
    # The worker was killed after the rows were committed, before it recorded the end.
    PollImport.objects.filter(pk=poll.pk).update(job_status="running")
    assert actions.run_import_job(poll.pk) == "done"
    assert Response.objects.count() == 2
    assert Answer.objects.filter(response__respondent_id="F001").count() == 11


def test_a_file_cannot_be_queued_twice_while_its_job_is_alive(wave):
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    actions.do_queue_check(poll, MAPPING)
    PollImport.objects.filter(pk=poll.pk).update(task_id=str(alive_task().id))
    with pytest.raises(ActionRefused):
        actions.do_queue_check(poll, MAPPING)


def test_a_bad_mapping_is_refused_and_queues_nothing(wave):
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    with pytest.raises(ActionRefused, match="respondent id"):
        actions.do_queue_check(poll, {"Q1": "Q1"})
    poll.refresh_from_db()
    assert (poll.job, poll.mapping) == ("", {})


def test_a_refused_import_keeps_the_file_ready_and_writes_nothing(wave):
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD + BAD), columns=HEADER, actor=None
    )
    actions.do_queue_check(poll, MAPPING)
    actions.run_import_job(poll.pk)
    actions.do_queue_import(poll)
    assert actions.run_import_job(poll.pk) == "failed"
    poll.refresh_from_db()
    assert (poll.status, poll.error) == ("validated", "invalid_rows")
    assert poll.report["bad_rows"] == 1
    assert not Response.objects.exists()


def test_unreadable_upload_says_why_and_stores_nothing(client, organizer, wave):
    client.force_login(organizer)
    upload = SimpleUploadedFile("firm.xlsx", b"not a workbook")
    page = client.post(reverse("surveys:import_upload", args=[wave.pk]), {"file": upload}, **EN)
    assert page.status_code == 400 and "cannot be read" in page.content.decode()
    assert not PollImport.objects.exists()


def test_an_imported_file_keeps_its_mapping_and_cannot_be_imported_again(tmp_path, wave):
    content = csv_bytes(GOOD)
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=content, columns=HEADER, actor=None
    )
    mapping = {c: MAPPING[c] for c in HEADER}
    validation, index = imports.validate(wave, imports.load(poll), mapping)
    actions.do_save_mapping(poll, mapping, imports.report(validation))
    result = actions.do_import_file(poll, validation, index, report=imports.report(validation))
    poll.refresh_from_db()
    assert result.created == Response.objects.count() == 2
    assert poll.status == "imported" and poll.report["result"]["created"] == 2
    with pytest.raises(actions.ImportRefused):
        actions.do_import_file(poll, validation, index, report=imports.report(validation))
    with pytest.raises(actions.ImportRefused):
        actions.do_save_mapping(poll, mapping, imports.report(validation))
    assert Response.objects.count() == 2 and PollImport.objects.get().mapping == mapping


def test_common_korean_headers_are_mapped_to_the_respondent_fields():
    columns = [
        "응답자 ID",
        "권역",
        "시군구",
        "성별",
        "연령대",
        "출생 년도",
        "소요시간",
        "문1",
        "Q1",
    ]
    assert poll_import.suggest_mapping(columns, ["Q1"]) == {
        "응답자 ID": "respondent_id",
        "권역": "region",
        "시군구": "district",
        "성별": "gender",
        "연령대": "age_band",
        "출생 년도": "birth_year",
        "소요시간": "duration_seconds",
        "문1": "",
        "Q1": "Q1",
    }


def test_english_headers_are_matched_whatever_their_case_and_spacing():
    columns = ["Respondent ID", " REGION ", "Birth-Year", "Age Group", "Sex", "q1"]
    assert poll_import.suggest_mapping(columns, ["Q1"]) == {
        "Respondent ID": "respondent_id",
        " REGION ": "region",
        "Birth-Year": "birth_year",
        "Age Group": "age_band",
        "Sex": "gender",
        "q1": "Q1",
    }


def test_two_headers_naming_one_field_map_only_the_first():
    assert poll_import.suggest_mapping(["지역", "시군구"], []) == {"지역": "district", "시군구": ""}


def test_the_next_file_of_a_wave_is_mapped_like_the_last_one_imported(client, organizer, wave):
    header = ["S1" if c == "sex" else c for c in HEADER]
    mapping = {("S1" if c == "sex" else c): t for c, t in MAPPING.items()}
    content = csv_bytes(GOOD).replace(b"sex", b"S1", 1)
    first = actions.do_store_upload(
        wave, filename="w1.csv", content=content, columns=header, actor=None
    )
    actions.do_queue_check(first, mapping)
    actions.run_import_job(first.pk)
    actions.do_queue_import(first)
    actions.run_import_job(first.pk)
    wave.refresh_from_db()
    assert wave.import_mapping == mapping
    second = actions.do_store_upload(
        wave, filename="w2.csv", content=content, columns=header, actor=None
    )
    client.force_login(organizer)
    form = client.get(reverse("surveys:import_mapping", args=[second.pk])).context["form"]
    assert {column: form.fields[f"c{i}"].initial for i, column in enumerate(header)} == mapping


def test_a_job_lost_with_its_worker_can_be_started_again(client, organizer, wave):
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    actions.do_queue_check(poll, MAPPING)
    actions.run_import_job(poll.pk)
    actions.do_queue_import(poll)
    lost = DBTaskResult.objects.create(
        task_path="surveys.actions.imports.run_poll_import",
        args_kwargs={"args": [poll.pk], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="FAILED",
    )
    PollImport.objects.filter(pk=poll.pk).update(job_status="running", task_id=str(lost.id))
    client.force_login(organizer)
    html = client.get(reverse("surveys:import_report", args=[poll.pk]), **EN).content.decode()
    assert "interrupted" in html and "data-status-url" not in html
    client.post(reverse("surveys:import_report", args=[poll.pk]), {})
    assert PollImport.objects.get().job_status == "queued"


def test_an_organizer_cancels_a_queued_import_and_the_worker_writes_nothing(
    client, organizer, wave
):
    poll = actions.do_store_upload(
        wave, filename="firm.csv", content=csv_bytes(GOOD), columns=HEADER, actor=None
    )
    actions.do_queue_check(poll, MAPPING)
    actions.run_import_job(poll.pk)
    actions.do_queue_import(poll)
    client.force_login(organizer)
    assert client.post(reverse("surveys:import_cancel", args=[poll.pk])).status_code == 302
    assert actions.run_import_job(poll.pk) == "cancelled"
    poll.refresh_from_db()
    assert (poll.status, poll.job_status) == ("validated", "cancelled")
    assert not Response.objects.exists()
    with pytest.raises(ActionRefused):
        actions.do_cancel_import_job(poll)


def _validated(wave, rows):
    table = read_table("firm.csv", csv_bytes(rows))
    return imports.validate(wave, table, MAPPING)


def test_the_import_writes_exactly_the_files_answers(wave):
    validation, index = _validated(wave, GOOD)
    actions.do_import_poll(wave, validation, index)
    expected = sorted(
        (good.respondent_id, item, value if isinstance(value, float) else None, value)
        for good in validation.good
        for item, value in good.values.items()
    )
    written = sorted(
        (
            respondent,
            item,
            number,
            number if text == "" and number is not None else text,
        )
        for respondent, item, number, text in Answer.objects.values_list(
            "response__respondent_id", "item", "value_number", "value_text"
        )
    )
    assert len(written) == sum(len(good.values) for good in validation.good) == 18
    assert written == expected
    assert Answer.objects.get(response__respondent_id="F001", item="Q6").value_text == "재활용"
    assert Answer.objects.filter(item="Q4").values_list("question__code", flat=True)[0] == "Q4"


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_leaves_nothing_of_the_import(wave):
    validation, index = _validated(wave, GOOD)
    # The second respondent's answer to Q4 names a question that no longer exists.
    validation.good[1].values["Q4"] = 7.0
    broken = {**index, "Q4": max(index.values()) + 1000}
    with pytest.raises(IntegrityError):
        actions.do_import_poll(wave, validation, broken)
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_an_answer_written_twice_is_refused_as_an_integrity_error(wave):
    validation, index = _validated(wave, GOOD[:1])
    actions.do_import_poll(wave, validation, index)
    response = Response.objects.get()
    again = actions.answer_values(response.pk, index, validation.good[0].values)
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.insert_answers(again)
    assert Answer.objects.filter(response=response).count() == len(again)
