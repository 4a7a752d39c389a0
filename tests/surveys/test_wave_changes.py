"""Editing and deleting a wave or a quota cell until fieldwork has reached them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from deliberation.core.actions import ActionRefused
from surveys import actions
from surveys.models import FieldworkQuota, Invitation, Response, Wave
from tests.surveys.conftest import EN

pytestmark = pytest.mark.django_db


def wave_data(wave, **changes) -> dict:
    data = {
        "questionnaire": wave.questionnaire_id,
        "kind": wave.kind,
        "label": wave.label,
        "title": wave.title,
        "opens_at": "",
        "closes_at": "",
    }
    return {**data, **changes}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_organizer_edits_a_wave_nobody_has_answered(client, organizer, wave):
    client.force_login(organizer)
    response = client.post(
        reverse("surveys:wave_edit", args=[wave.pk]),
        wave_data(wave, title="2차 여론조사", label="w-second"),
        **EN,
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert (wave.title, wave.label) == ("2차 여론조사", "w-second")


def test_a_wave_with_a_response_in_progress_is_not_changed_and_says_why(client, organizer, wave):
    Response.objects.create(wave=wave, respondent_id="R1")
    client.force_login(organizer)
    page = client.get(reverse("surveys:wave_edit", args=[wave.pk]), **EN).content.decode()
    assert "already has responses" in page and ">Save</button>" not in page
    response = client.post(
        reverse("surveys:wave_edit", args=[wave.pk]), wave_data(wave, title="바뀐 제목"), **EN
    )
    assert response.status_code == 400
    assert "already has responses" in response.content.decode()
    wave.refresh_from_db()
    assert wave.title != "바뀐 제목"


def test_a_wave_edit_to_a_label_of_another_wave_is_refused(wave):
    other = Wave.objects.create(
        deliberation=wave.deliberation,
        questionnaire=wave.questionnaire,
        kind=Wave.Kind.PRE,
        label="taken",
        title="사전 조사",
    )
    with pytest.raises(ActionRefused) as refused:
        actions.do_update_wave(wave, label=other.label)
    assert refused.value.code == "wave_label_taken"


def test_a_poll_made_a_panel_wave_loses_its_open_link(wave):
    actions.do_update_fieldwork(wave, open_link=True)
    changed = actions.do_update_wave(wave, kind=Wave.Kind.PRE)
    assert changed.is_panel_wave and changed.open_link_token == ""


def test_deleting_a_wave_asks_first_and_deletes_on_the_confirming_post(client, organizer, wave):
    actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    actions.do_create_invitations(wave, 2)
    client.force_login(organizer)
    here = reverse("surveys:wave_delete", args=[wave.pk])
    page = client.get(here, **EN)
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()
    assert Wave.objects.filter(pk=wave.pk).exists()
    response = client.post(here, **EN)
    assert response["Location"] == reverse("surveys:overview", args=[wave.deliberation.slug])
    assert not Wave.objects.filter(pk=wave.pk).exists()
    assert not FieldworkQuota.objects.exists() and not Invitation.objects.exists()


def test_a_wave_with_responses_is_not_deleted(client, organizer, wave):
    Response.objects.create(wave=wave, respondent_id="R1", status=Response.Status.SCREENED_OUT)
    client.force_login(organizer)
    here = reverse("surveys:wave_delete", args=[wave.pk])
    page = client.get(here, **EN).content.decode()
    assert "already has responses" in page and ">Delete</button>" not in page
    response = client.post(here, **EN)
    assert "already has responses" in messages_of(response)[0]
    assert Wave.objects.filter(pk=wave.pk).exists()


def test_an_organizer_edits_a_quota_cell_nobody_has_reached(client, organizer, wave):
    quota = actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    client.force_login(organizer)
    response = client.post(
        reverse("surveys:quota_edit", args=[quota.pk]),
        {"region": "도심권", "gender": "여성", "age_band": "", "target": "5"},
        **EN,
    )
    assert response["Location"] == reverse("surveys:fieldwork", args=[wave.pk])
    quota.refresh_from_db()
    assert (quota.gender, quota.target) == ("여성", 5)


def test_a_quota_edit_to_an_unknown_category_is_refused_and_nothing_changes(
    client, organizer, wave
):
    quota = actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    client.force_login(organizer)
    response = client.post(
        reverse("surveys:quota_edit", args=[quota.pk]),
        {"region": "부산권", "gender": "", "age_band": "", "target": "5"},
        **EN,
    )
    assert response.status_code == 400
    assert "Region “부산권” is not one of the deliberation's categories" in (
        response.content.decode().replace("&#x27;", "'")
    )
    quota.refresh_from_db()
    assert (quota.region, quota.target) == ("도심권", 3)


def test_a_quota_edit_onto_another_cell_is_refused(wave):
    actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    quota = actions.do_save_quota(wave, region="동북권", gender="", age_band="", target=3)
    with pytest.raises(ActionRefused) as refused:
        actions.do_update_quota(quota, region="도심권", gender="", age_band="", target=4)
    assert refused.value.code == "quota_cell_taken"


def test_a_quota_cell_respondents_fall_in_is_neither_changed_nor_deleted(wave):
    reached = actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    elsewhere = actions.do_save_quota(wave, region="동북권", gender="", age_band="", target=3)
    Response.objects.create(
        wave=wave, respondent_id="R1", region="도심권", status=Response.Status.QUOTA_FULL
    )
    with pytest.raises(ActionRefused, match="already fall in this quota cell"):
        actions.do_update_quota(reached, region="도심권", gender="", age_band="", target=9)
    with pytest.raises(ActionRefused, match="already fall in this quota cell"):
        actions.do_delete_quota(reached)
    assert FieldworkQuota.objects.get(pk=reached.pk).target == 3
    actions.do_delete_quota(elsewhere)
    assert list(FieldworkQuota.objects.all()) == [reached]


def test_a_quota_cell_is_not_moved_onto_respondents_either(wave):
    quota = actions.do_save_quota(wave, region="동북권", gender="", age_band="", target=3)
    Response.objects.create(wave=wave, respondent_id="R1", region="도심권")
    with pytest.raises(ActionRefused, match="already fall in this quota cell"):
        actions.do_update_quota(quota, region="도심권", gender="", age_band="", target=3)
    quota.refresh_from_db()
    assert quota.region == "동북권"


def test_deleting_a_quota_asks_first_and_deletes_on_the_confirming_post(client, organizer, wave):
    quota = actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    client.force_login(organizer)
    here = reverse("surveys:quota_delete", args=[quota.pk])
    page = client.get(here, **EN)
    assert page.status_code == 200 and "Delete this quota cell?" in page.content.decode()
    assert FieldworkQuota.objects.exists()
    response = client.post(here, **EN)
    assert response["Location"] == reverse("surveys:fieldwork", args=[wave.pk])
    assert not FieldworkQuota.objects.exists()


def test_the_fieldwork_page_links_each_quota_to_its_edit_and_delete(client, organizer, wave):
    quota = actions.do_save_quota(wave, region="도심권", gender="", age_band="", target=3)
    client.force_login(organizer)
    page = client.get(reverse("surveys:fieldwork", args=[wave.pk]), **EN).content.decode()
    assert reverse("surveys:quota_edit", args=[quota.pk]) in page
    assert reverse("surveys:quota_delete", args=[quota.pk]) in page
    assert reverse("surveys:wave_edit", args=[wave.pk]) in page
