"""The consent page: texts per wave in Korean and English, and the separate consent to
sensitive data (PIPA Art. 23) when a questionnaire asks for political opinions."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from deliberation.core.actions import ActionRefused
from surveys import actions, consent
from surveys.models import Questionnaire, Response
from surveys.selectors import invitation_for_token
from tests.surveys.conftest import EN
from tests.surveys.factories import QuestionnaireFactory

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
SCREENER = {"consent": "on", "district": "종로구", "gender": "남성", "birth_year": "1995"}


def url(token):
    return reverse("surveys:take", kwargs={"token": token})


def test_a_new_wave_starts_from_the_standard_consent_texts_in_both_languages(client, organizer):
    questionnaire = QuestionnaireFactory()
    client.force_login(organizer)
    page = client.get(reverse("surveys:wave_create", args=[questionnaire.deliberation.slug]))
    html = page.content.decode()
    for name in consent.CONSENT_FIELDS:
        assert f'name="{name}_en"' in html
        assert escape(consent.DEFAULTS[name].ko) in html
        assert escape(consent.DEFAULTS[name].en) in html


def test_organizer_saves_the_consent_texts_in_korean_and_english(client, organizer):
    questionnaire = QuestionnaireFactory()
    client.force_login(organizer)
    data = {
        "questionnaire": questionnaire.pk,
        "kind": "poll",
        "label": "W1",
        "title": "1차",
        "purpose": "정책 의견 조사",
        "purpose_en": "A survey of policy views",
        "refusal_en": "You may refuse.",
    }
    url_ = reverse("surveys:wave_create", args=[questionnaire.deliberation.slug])
    assert client.post(url_, data).status_code == 302
    wave = questionnaire.waves.get()
    assert (wave.purpose, wave.purpose_en) == ("정책 의견 조사", "A survey of policy views")
    assert (wave.refusal, wave.refusal_en) == ("", "You may refuse.")


def test_the_consent_page_shows_the_texts_in_the_respondents_language(client, wave, token):
    wave.purpose, wave.purpose_en = "정책 의견 조사", "A survey of policy views"
    wave.save()
    korean = client.get(url(token), **KO).content.decode()
    english = client.get(url(token), **EN).content.decode()
    assert "정책 의견 조사" in korean and "A survey of policy views" not in korean
    assert "A survey of policy views" in english and "정책 의견 조사" not in english


def test_the_consent_page_falls_back_to_the_other_language_or_the_standard_text(
    client, wave, token
):
    wave.retention, wave.retention_en = "조사 종료 후 1년", ""
    wave.contact, wave.contact_en = "", ""
    wave.save()
    english = client.get(url(token), **EN).content.decode()
    assert "조사 종료 후 1년" in english
    assert escape(consent.DEFAULTS["contact"].en) in english
    assert escape(consent.DEFAULTS["refusal"].en) in english


def test_a_new_questionnaire_asks_for_political_opinions_unless_unticked(client, organizer):
    client.force_login(organizer)
    deliberation = QuestionnaireFactory().deliberation
    page = client.get(reverse("surveys:questionnaire_create", args=[deliberation.slug]))
    assert 'name="asks_political_opinions"' in page.content.decode()
    assert Questionnaire(title="x").asks_political_opinions is True


def test_the_sensitive_data_consent_is_a_separate_unticked_box(client, token):
    html = client.get(url(token), **EN).content.decode()
    assert "Consent to sensitive data (political opinions)" in html
    box = html.split('name="sensitive_consent"')[1].split(">")[0]
    assert "checked" not in box


def test_no_sensitive_data_consent_when_the_questionnaire_asks_no_political_opinions(
    client, wave, token
):
    Questionnaire.objects.filter(pk=wave.questionnaire_id).update(asks_political_opinions=False)
    html = client.get(url(token), **EN).content.decode()
    assert 'name="sensitive_consent"' not in html
    assert client.post(url(token), SCREENER, **EN).status_code == 302
    assert Response.objects.get().sensitive_consented_at is None


def test_a_response_cannot_start_without_the_sensitive_data_consent(client, token):
    page = client.post(url(token), SCREENER, **EN)
    assert page.status_code == 400
    assert "separate consent" in page.content.decode()
    assert not Response.objects.exists()


def test_the_start_action_refuses_without_the_sensitive_data_consent(wave):
    invitation_token = actions.do_create_invitations(wave, 1)[0]
    invitation = invitation_for_token(invitation_token)
    screener = actions.Screener(district="종로구", gender="남성", birth_year=1995)
    with pytest.raises(ActionRefused):
        actions.do_start_response(invitation, screener)
    assert not Response.objects.exists()


def test_the_time_of_the_sensitive_data_consent_is_stored_on_the_response(client, token):
    page = client.post(url(token), {**SCREENER, "sensitive_consent": "on"}, **EN)
    assert page.status_code == 302
    response = Response.objects.get()
    assert response.sensitive_consented_at is not None
    assert response.sensitive_consented_at == response.consented_at
