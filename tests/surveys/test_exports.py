"""Each export format read back, with its labels; no contact data ever leaves."""

from __future__ import annotations

import csv
import io

import openpyxl
import pyreadstat
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from surveys import exports
from surveys.datasets import wave_dataset
from surveys.models import ContactDetails, VolunteerOptIn
from tests.surveys.factories import FULL_ANSWERS, complete_response

PROFILE = {"region": "도심권", "gender": "여성", "age_band": "60+"}


@pytest.fixture
def filled(wave):
    first = complete_response(wave, "R001", FULL_ANSWERS, **PROFILE)
    complete_response(wave, "R002", {**FULL_ANSWERS, "Q1": 2.0, "Q6": ""}, **PROFILE)
    opt_in = VolunteerOptIn.objects.create(
        deliberation=wave.deliberation, response=first, consented_at=first.started_at, **PROFILE
    )
    ContactDetails.objects.create(opt_in=opt_in, name="김비밀", email="secret@example.org")
    return wave


def test_csv_export_has_one_row_per_respondent_and_no_contacts(filled):
    content = exports.to_csv(wave_dataset(filled)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["respondent_id"] for r in rows] == ["R001", "R002"]
    assert rows[0]["Q2_3"] == "1" and rows[0]["Q5"] == "3.5" and rows[0]["Q6"] == "재활용"
    assert "secret@example.org" not in content and "김비밀" not in content


def test_xlsx_export_has_a_data_sheet_and_a_labels_sheet(filled):
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(wave_dataset(filled))))
    assert book.sheetnames == ["data", "labels"]
    header = [c.value for c in book["data"][1]]
    assert header[0] == "respondent_id" and "Q9_a" in header
    labels = [tuple(c.value for c in row) for row in book["labels"].iter_rows(min_row=2)]
    assert ("Q3", None, None, 5, "매우 동의한다") in labels


def test_sav_export_reads_back_with_variable_and_value_labels(filled, tmp_path):
    path = tmp_path / "w.sav"
    path.write_bytes(exports.to_sav(wave_dataset(filled)))
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame["respondent_id"]) == ["R001", "R002"]
    assert meta.column_names_to_labels["Q1"] == "Q1 질문"
    assert meta.variable_value_labels["Q1"] == {1: "예", 2: "아니오"}
    assert meta.variable_value_labels["Q2_1"][1].startswith("선택")
    assert frame["Q9_b"].tolist() == [5.0, 5.0]


def test_dta_export_reads_back_with_variable_and_value_labels(filled, tmp_path):
    path = tmp_path / "w.dta"
    path.write_bytes(exports.to_dta(wave_dataset(filled)))
    frame, meta = pyreadstat.read_dta(str(path))
    assert list(frame["Q1"]) == [1.0, 2.0]
    assert meta.column_names_to_labels["Q8"] == "Q8 질문"
    assert meta.variable_value_labels["Q8"] == {1: "매립", 2: "소각", 9: "모름"}


def test_codebook_describes_every_variable(filled):
    text = exports.codebook(wave_dataset(filled)).decode()
    assert "## Q2_1" in text and "asked only if Q1 in [1]" in text
    assert "correct answer: [1]" in text


def test_variable_names_are_made_safe_for_spss_and_stata():
    assert exports.safe_name("q-5") == "q_5"
    assert exports.safe_name("5q") == "v_5q"


def test_export_command_writes_the_file(filled, tmp_path):
    out = tmp_path / "w.dta"
    call_command("export_poll", filled.pk, fmt="dta", out=str(out), stdout=io.StringIO())
    frame, _meta = pyreadstat.read_dta(str(out))
    assert len(frame) == 2


def test_export_command_refuses_an_unknown_wave(tmp_path, db):
    with pytest.raises(CommandError, match="no wave"):
        call_command("export_poll", 999, fmt="csv", out=str(tmp_path / "x.csv"))


def test_analyst_downloads_an_export(client, analyst, filled):
    client.force_login(analyst)
    page = client.get(reverse("surveys:export_download", args=[filled.pk, "sav"]))
    assert page.status_code == 200
    assert page["Content-Disposition"].endswith('.sav"')


def test_unknown_export_format_is_not_found(client, analyst, filled):
    client.force_login(analyst)
    assert (
        client.get(reverse("surveys:export_download", args=[filled.pk, "pdf"])).status_code == 404
    )


@pytest.fixture
def five(wave):
    for number in (5, 3, 1, 4, 2):
        complete_response(
            wave, f"R{number:03d}", {**FULL_ANSWERS, "Q1": 1.0 + number % 2}, **PROFILE
        )
    return wave


def test_the_csv_download_is_streamed_a_few_respondents_at_a_time(
    client, analyst, five, monkeypatch
):
    monkeypatch.setattr("surveys.datasets.EXPORT_CHUNK", 2)
    client.force_login(analyst)
    page = client.get(reverse("surveys:export_download", args=[five.pk, "csv"]))
    assert page.status_code == 200 and page.streaming
    content = b"".join(page.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["respondent_id"] for r in rows] == ["R001", "R002", "R003", "R004", "R005"]
    assert [r["Q1"] for r in rows] == ["2", "1", "2", "1", "2"]
    assert content == exports.to_csv(wave_dataset(five)).decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_file_exports_are_sent_from_a_temporary_file_with_every_respondent(
    client, analyst, five, monkeypatch, tmp_path, fmt
):
    monkeypatch.setattr("surveys.datasets.EXPORT_CHUNK", 2)
    client.force_login(analyst)
    page = client.get(reverse("surveys:export_download", args=[five.pk, fmt]))
    assert page.status_code == 200 and page.streaming
    path = tmp_path / f"data.{fmt}"
    path.write_bytes(b"".join(page.streaming_content))
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path)["data"]
        ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    else:
        reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        frame, _meta = reader(str(path))
        ids = list(frame["respondent_id"])
        assert list(frame["Q1"]) == [2.0, 1.0, 2.0, 1.0, 2.0]
    assert ids == ["R001", "R002", "R003", "R004", "R005"]
