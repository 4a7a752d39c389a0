"""What the public page offers besides itself: the feed, the JSON of statuses, the open-data
files, the report and materials; and that none of it carries personal data."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from deliberation.core.names import display_name
from deliberation.forum.models import Material
from deliberation.report.actions import do_set_publication
from deliberation.report.models import ReportRender
from panels.models import Volunteer
from surveys.models import ContactDetails, Response, VolunteerOptIn, Wave
from tests.deliberation.site.public_fixtures import ALL_PARTS, publish
from tests.surveys.factories import QuestionnaireFactory, WaveFactory
from tests.surveys.test_panel_waves import ANSWERS, build_questions, respond

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def url(name, public, *args):
    return reverse(f"deliberation:{name}", args=[public["deliberation"].slug, *args])


def test_json_lists_each_recommendation_with_its_timeline(client, public):
    data = client.get(url("public_statuses", public)).json()
    first, second = data["recommendations"]
    assert first["text"] == "소각장 부지 선정 과정을 공개한다"
    assert first["status"] == "accepted" and first["supporters"] == 2
    assert [e["new_status"] for e in first["timeline"]] == ["received", "accepted"]
    assert second["status"] is None and second["timeline"] == []


def test_feed_has_an_entry_per_status_change(client, public):
    response = client.get(url("public_feed", public))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.count("<entry>") == 2
    assert "2026년 예산에 반영합니다." in feed


def test_feed_and_json_are_not_found_while_recommendations_are_unpublished(client, public):
    publish(public["deliberation"], public["organizer"], show_recommendations=False)
    assert client.get(url("public_feed", public)).status_code == 404
    assert client.get(url("public_statuses", public)).status_code == 404
    assert client.get(url("public_data_file", public, "recommendations")).status_code == 404


def test_datapackage_describes_each_published_file_and_the_licence(client, public):
    package = client.get(url("public_datapackage", public)).json()
    names = [r["name"] for r in package["resources"]]
    assert names == ["poll-results", "panel-waves", "recommendations", "tracking-timeline"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    columns = [f["name"] for f in package["resources"][2]["schema"]["fields"]]
    csv_text = client.get(url("public_data_file", public, "recommendations")).content
    header = next(csv.reader(io.StringIO(csv_text.decode("utf-8-sig"))))
    assert header == columns


def test_tracking_timeline_file_has_a_row_per_change(client, public):
    content = client.get(url("public_data_file", public, "tracking-timeline")).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["old_status"], r["new_status"]) for r in rows] == [
        ("", "received"),
        ("received", "accepted"),
    ]


def test_microdata_is_not_published_unless_chosen(client, public):
    assert client.get(url("public_data_file", public, "panel-waves-microdata")).status_code == 404
    do_set_publication(
        public["deliberation"],
        published=True,
        parts=ALL_PARTS,
        licence="CC-BY-4.0",
        publish_microdata=True,
        actor=public["organizer"],
    )
    assert client.get(url("public_data_file", public, "panel-waves-microdata")).status_code == 200


def test_unknown_file_is_not_found(client, public):
    assert client.get(url("public_data_file", public, "contacts")).status_code == 404


def test_report_pdf_only_once_published(client, public, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    render = ReportRender.objects.create(
        deliberation=public["deliberation"], status=ReportRender.Status.DONE, progress=100
    )
    render.file.save("report.pdf", ContentFile(b"%PDF-1.7 public"))
    assert client.get(url("public_report_pdf", public)).status_code == 200
    publish(public["deliberation"], public["organizer"], show_report_pdf=False)
    assert client.get(url("public_report_pdf", public)).status_code == 404


def test_material_file_only_while_materials_are_published(client, public, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    material = Material(session=public["group"].session, title="자료집", public=True)
    material.file.save("reading.pdf", ContentFile(b"%PDF-1.7 reading"), save=False)
    material.save()
    assert client.get(url("public_material", public, material.pk)).status_code == 200
    publish(public["deliberation"], public["organizer"], show_materials=False)
    assert client.get(url("public_material", public, material.pk)).status_code == 404


def test_a_material_not_marked_public_is_neither_listed_nor_served(
    client, public, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    shown = Material.objects.create(
        session=public["group"].session, title="공개 자료집", body="b", public=True
    )
    kept = Material(session=public["group"].session, title="전문가 발표 초안")
    kept.file.save("draft.pdf", ContentFile(b"%PDF-1.7 draft"), save=False)
    kept.save()
    page = client.get(url("public_page", public)).content.decode()
    assert shown.title in page and kept.title not in page
    assert client.get(url("public_material", public, kept.pk)).status_code == 404


def test_unpublished_deliberation_has_no_public_files(client, public):
    do_set_publication(
        public["deliberation"],
        published=False,
        parts=ALL_PARTS,
        licence="CC-BY-4.0",
        publish_microdata=True,
        actor=public["organizer"],
    )
    for name, args in [
        ("public_feed", ()),
        ("public_statuses", ()),
        ("public_datapackage", ()),
        ("public_data_file", ("recommendations",)),
        ("public_report_pdf", ()),
    ]:
        assert client.get(url(name, public, *args)).status_code == 404, name


def test_no_personal_data_on_any_public_page_or_file(client, public):
    """E-mails, phones, names, usernames and volunteer ids never reach the public."""
    deliberation = public["deliberation"]
    poll = WaveFactory(questionnaire__deliberation=deliberation, kind=Wave.Kind.POLL)
    response = Response.objects.create(
        wave=poll, respondent_id="RESP-93817", status=Response.Status.COMPLETE
    )
    opt_in = VolunteerOptIn.objects.create(
        deliberation=deliberation, response=response, consented_at=response.started_at
    )
    ContactDetails.objects.create(
        opt_in=opt_in, name="김비밀", email="secret.person@example.org", phone="010-9876-5432"
    )
    secrets = ["김비밀", "secret.person@example.org", "010-9876-5432", "RESP-93817"]
    for n, seat in enumerate(public["seats"]):
        volunteer = Volunteer.objects.create(
            deliberation=deliberation,
            external_id=f"VOLX-{n}-4471",
            record_id=f"rec{n}x9",
            source=Volunteer.Source.POLL,
            features={"region": "도심권", "gender": "여성", "age_band": "30-39"},
        )
        seat.volunteer = volunteer
        seat.save()
        secrets += [volunteer.external_id, volunteer.record_id]
    # The panel answered two waves: the microdata file has their answers, renumbered.
    questionnaire = QuestionnaireFactory(deliberation=deliberation)
    questions = build_questions(questionnaire)
    pre = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.PRE, label="pre")
    post = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.POST, label="post")
    for seat, by_wave in zip(public["seats"], ANSWERS.values(), strict=False):
        respond(pre, seat, by_wave["pre"], questions)
        respond(post, seat, by_wave["post"], questions)
        secrets.append(seat.pseudonym)
    people = [public["organizer"], public["facilitator"], *(s.user for s in public["seats"])]
    for person in people:
        secrets += [person.email, person.username, display_name(person)]
        secrets += [n for n in (person.first_name, person.last_name) if n]
    do_set_publication(
        deliberation,
        published=True,
        parts=ALL_PARTS,
        licence="CC-BY-4.0",
        publish_microdata=True,
        actor=public["organizer"],
    )
    cache.clear()
    outputs = {}
    for language in ("ko", "en"):
        client.cookies["django_language"] = language
        outputs[f"page {language}"] = client.get(url("public_page", public)).content
        outputs[f"front {language}"] = client.get(reverse("deliberation:home")).content
    outputs["feed"] = client.get(url("public_feed", public)).content
    outputs["json"] = client.get(url("public_statuses", public)).content
    package = client.get(url("public_datapackage", public))
    outputs["datapackage"] = package.content
    for resource in json.loads(package.content)["resources"]:
        outputs[resource["name"]] = client.get(
            url("public_data_file", public, resource["name"])
        ).content
    microdata = outputs["panel-waves-microdata"].decode("utf-8-sig")
    assert "R0001" in microdata and "R0003" in microdata
    leaks = [
        (where, secret)
        for where, content in outputs.items()
        for secret in secrets
        if secret and secret in content.decode("utf-8-sig")
    ]
    assert not leaks, leaks
