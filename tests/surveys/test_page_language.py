"""Survey pages speak the page's language: English words where the data has them, no keys.

An English results page lists the questions, answers, Likert points, regions and genders
in English (the questionnaire's and the regions' English text); a Korean one names the
crosstab's features in Korean rather than by their keys (region, gender, age_band). The
questionnaire page's answer labels follow the page's language too.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from panels.models import PopulationMargin, Region
from surveys import actions
from surveys.models import Option, Response
from tests.surveys.conftest import EN
from tests.surveys.factories import FULL_ANSWERS, complete_response
from tests.surveys.test_fieldwork import start, submit
from tests.surveys.test_panel_waves import panel_study  # noqa: F401 (fixture)

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.fixture
def answered(wave):
    Option.objects.filter(question__questionnaire=wave.questionnaire, question__code="Q1").filter(
        value=1
    ).update(label_en="Yes")
    Option.objects.filter(question__questionnaire=wave.questionnaire, question__code="Q1").filter(
        value=2
    ).update(label_en="No")
    Region.objects.filter(deliberation=wave.deliberation, name="도심권").update(name_en="Downtown")
    for i, (region, gender) in enumerate(
        [("도심권", "여성"), ("도심권", "남성"), ("동북권", "여성"), ("동북권", "남성")] * 2
    ):
        answers = {**FULL_ANSWERS, "Q1": 1.0 + i % 2, "Q3": 1.0 + i % 5}
        complete_response(wave, f"R{i}", answers, region=region, gender=gender, age_band="60+")
    return wave


def results(client, wave, language: dict, **query) -> str:
    url = reverse("surveys:results", args=[wave.pk])
    return client.get(url, query, **language).content.decode()


def options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', html, re.S)[1]
    return re.findall(r">([^<]*)</option>", select)


def test_the_english_results_page_shows_the_english_questions_and_answers(
    client, analyst, answered
):
    client.force_login(analyst)
    html = results(client, answered, EN, item="Q1", by="region")
    assert options_of(html, "item")[0] == "Q1. Question Q1"
    assert all("질문" not in label for label in options_of(html, "item"))
    assert "<h2>Q1. Question Q1</h2>" in html
    assert '<th scope="row">Yes</th>' in html and '<th scope="row">No</th>' in html
    assert "예" not in html and "아니오" not in html

    likert = results(client, answered, EN, item="Q3", by="gender")
    assert '<th scope="row">Strongly agree</th>' in likert
    assert "동의" not in likert


def test_the_english_crosstab_names_features_regions_and_genders_in_english(
    client, analyst, answered
):
    client.force_login(analyst)
    html = results(client, answered, EN, item="Q1", by="region")
    assert options_of(html, "by") == ["Region", "Gender", "Age group"]
    assert "<h3>Crosstab by Region</h3>" in html
    assert '<th scope="col" class="num">Downtown</th>' in html
    # A region without an English name keeps its own name.
    assert '<th scope="col" class="num">동북권</th>' in html

    by_gender = results(client, answered, EN, item="Q1", by="gender")
    assert '<th scope="col" class="num">Women</th>' in by_gender
    assert '<th scope="col" class="num">Men</th>' in by_gender


def test_the_korean_results_page_names_the_features_not_their_keys(client, analyst, answered):
    client.force_login(analyst)
    html = results(client, answered, KO, item="Q1", by="age_band")
    assert options_of(html, "by") == ["권역", "성별", "연령대"]
    assert "<h3>연령대에 따른 교차분석</h3>" in html
    assert '<th scope="col" class="num">60세 이상</th>' in html
    assert not re.search(r">\s*(region|gender|age_band)", html)


def test_the_questionnaire_page_shows_answer_labels_in_the_page_language(
    client, organizer, answered
):
    client.force_login(organizer)
    url = reverse("surveys:questionnaire", args=[answered.questionnaire.pk])
    english = client.get(url, **EN).content.decode()
    assert "1=Yes; 2=No" in english
    assert "1=Strongly disagree" in english
    korean = client.get(url, **KO).content.decode()
    assert "1=예; 2=아니오" in korean
    assert "1=전혀 동의하지 않는다" in korean


@pytest.fixture
def unrakeable(wave):
    """Half the respondents are 60 or over but the margins want 70%: a cap of 1.05 cannot."""
    PopulationMargin.objects.filter(deliberation=wave.deliberation).exclude(
        feature="age_band"
    ).delete()
    PopulationMargin.objects.filter(deliberation=wave.deliberation, feature="age_band").delete()
    PopulationMargin.objects.bulk_create(
        PopulationMargin(deliberation=wave.deliberation, feature="age_band", value=v, share=s)
        for v, s in (("18-29", "0.3"), ("60+", "0.7"))
    )
    for i in range(8):
        band = "60+" if i % 2 else "18-29"
        complete_response(
            wave, f"R{i}", FULL_ANSWERS, region="도심권", gender="여성", age_band=band
        )
    return wave


def refusal(client, wave, language: dict) -> str:
    url = reverse("surveys:weighting", args=[wave.pk])
    response = client.post(url, {"cap": "1.05"}, follow=True, **language)
    assert not Response.objects.filter(wave=wave, weight__isnull=False).exists()
    return next(str(m) for m in get_messages(response.wsgi_request))


def test_a_raking_failure_is_told_in_the_page_language(client, analyst, unrakeable):
    client.force_login(analyst)
    korean = refusal(client, unrakeable, KO)
    assert korean.startswith("조사 차수에 가중치를 부여하지 못했습니다: 레이킹이 ")
    assert "회 반복 안에 수렴하지 않았습니다." in korean
    assert "연령대 " in korean and ("60세 이상" in korean or "18–29세" in korean)
    assert "raking" not in korean and "age_band" not in korean
    english = refusal(client, unrakeable, EN)
    assert english.startswith("The wave was not weighted: raking did not converge in ")
    assert "for Age group " in english and "age_band" not in english


def test_a_refused_weighting_is_told_by_code_with_parameters(unrakeable):
    with pytest.raises(actions.WeightingRefused) as refused:
        actions.do_weight_wave(unrakeable, cap=1.05)
    assert refused.value.code == "not_converged"
    assert refused.value.params["feature"] == "age_band"
    assert refused.value.params["category"] in {"18-29", "60+"}
    assert str(refused.value).startswith("raking did not converge in ")


def test_the_volunteer_form_is_sent_with_a_verb_not_the_word_volunteer(client, token):
    start(client, token)
    submit(client, token)
    url = reverse("surveys:volunteer", kwargs={"token": token})
    korean = client.get(url, **KO).content.decode()
    assert '<button type="submit">참여 신청하기</button>' in korean
    assert '<button type="submit">자원자</button>' not in korean
    english = client.get(url, **EN).content.decode()
    assert '<button type="submit">Volunteer</button>' in english


def test_the_completion_table_names_subgroups_and_completion_not_groups_and_attendance(
    client,
    organizer,
    panel_study,  # noqa: F811
):
    client.force_login(organizer)
    url = reverse("surveys:completion", args=[panel_study["pre"].pk])
    korean = client.get(url, **KO).content.decode()
    header = re.search(r"<caption>권역</caption>\s*<thead>(.*?)</thead>", korean, re.S)[1]
    assert re.findall(r">([^<]+)</th>", header) == ["구분", "초대됨", "응답 완료", "완료율"]
    assert "분임" not in korean and "출석률" not in korean
