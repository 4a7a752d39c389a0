"""Survey pages speak the page's language: English words where the data has them, no keys.

An English results page lists the questions, answers, Likert points, regions and genders
in English (the questionnaire's and the regions' English text); a Korean one names the
crosstab's features in Korean rather than by their keys (region, gender, age_band). The
questionnaire page's answer labels follow the page's language too.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panels.models import Region
from surveys.models import Option
from tests.surveys.conftest import EN
from tests.surveys.factories import FULL_ANSWERS, complete_response

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
    assert "<h3>By Region</h3>" in html
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
    assert "<h3>연령대별</h3>" in html
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
