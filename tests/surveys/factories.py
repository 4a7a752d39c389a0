"""Factories for questionnaires, waves and responses, with one question of every type."""

from __future__ import annotations

from decimal import Decimal

import factory

from panels.models import District, PopulationMargin, Region
from surveys.actions import add_likert_options
from surveys.models import (
    Answer,
    GridItem,
    Option,
    Question,
    Questionnaire,
    Wave,
)
from tests.factories import DeliberationFactory


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    deliberation = factory.SubFactory(DeliberationFactory)
    title = factory.Sequence(lambda n: f"여론조사 {n}")
    title_en = factory.Sequence(lambda n: f"Poll {n}")


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    deliberation = factory.SelfAttribute("questionnaire.deliberation")
    kind = Wave.Kind.POLL
    label = factory.Sequence(lambda n: f"w{n}")
    title = factory.Sequence(lambda n: f"1차 여론조사 {n}")
    is_open = True
    reference_year = 2021


def question(questionnaire, code, kind, order, *, options=(), **fields) -> Question:
    q = Question.objects.create(
        questionnaire=questionnaire,
        code=code,
        kind=kind,
        order=order,
        text_ko=f"{code} 질문",
        text_en=f"Question {code}",
        **fields,
    )
    Option.objects.bulk_create(
        Option(question=q, order=i, value=value, label_ko=label, label_en=label, is_correct=correct)
        for i, (value, label, correct) in enumerate(options)
    )
    return q


def build_every_type(questionnaire) -> dict[str, Question]:
    """One question of each type; Q2 shows only when Q1 is answered 1 (yes)."""
    qs = {}
    qs["Q1"] = question(
        questionnaire, "Q1", "single", 1, options=[(1, "예", False), (2, "아니오", False)]
    )
    qs["Q2"] = question(
        questionnaire,
        "Q2",
        "multiple",
        2,
        options=[(1, "종이", False), (2, "플라스틱", False), (3, "유리", False)],
        max_choices=2,
        show_if_question=qs["Q1"],
        show_if_values=[1],
    )
    qs["Q3"] = question(questionnaire, "Q3", "likert", 3)
    add_likert_options(qs["Q3"], 5)
    qs["Q4"] = question(
        questionnaire, "Q4", "scale10", 4, low_label_ko="전혀", high_label_ko="매우"
    )
    qs["Q5"] = question(questionnaire, "Q5", "numeric", 5, min_value=0, max_value=20)
    qs["Q6"] = question(questionnaire, "Q6", "short_text", 6, required=False)
    qs["Q7"] = question(questionnaire, "Q7", "long_text", 7, required=False)
    qs["Q8"] = question(
        questionnaire,
        "Q8",
        "knowledge",
        8,
        options=[(1, "매립", True), (2, "소각", False), (9, "모름", False)],
    )
    qs["Q9"] = question(questionnaire, "Q9", "grid", 9)
    add_likert_options(qs["Q9"], 5)
    GridItem.objects.bulk_create(
        [
            GridItem(question=qs["Q9"], order=1, code="a", text_ko="항목 a", text_en="Item a"),
            GridItem(question=qs["Q9"], order=2, code="b", text_ko="항목 b", text_en="Item b"),
        ]
    )
    return qs


VALID_ANSWERS = {
    "Q1": "1",
    "Q2": ["1", "3"],
    "Q3": "4",
    "Q4": "7",
    "Q5": "3",
    "Q6": "재활용",
    "Q8": "1",
    "Q9_a": "2",
    "Q9_b": "5",
}

SEOUL_REGIONS = {
    "도심권": ["종로구", "중구", "용산구"],
    "동북권": ["성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구", "도봉구", "노원구"],
    "서북권": ["은평구", "서대문구", "마포구"],
    "서남권": ["양천구", "강서구", "구로구", "금천구", "영등포구", "동작구", "관악구"],
    "동남권": ["서초구", "강남구", "송파구", "강동구"],
}

MARGINS = {
    "region": {"도심권": 0.05, "동북권": 0.315, "서북권": 0.12, "서남권": 0.317, "동남권": 0.198},
    "gender": {"남성": 0.485, "여성": 0.515},
    "age_band": {"18-29": 0.18, "30-39": 0.17, "40-49": 0.165, "50-59": 0.17, "60+": 0.315},
}


def add_strata(deliberation) -> None:
    for order, (name, districts) in enumerate(SEOUL_REGIONS.items()):
        region = Region.objects.create(deliberation=deliberation, name=name, order=order)
        District.objects.bulk_create(
            District(deliberation=deliberation, region=region, name=d, order=i)
            for i, d in enumerate(districts)
        )
    PopulationMargin.objects.bulk_create(
        PopulationMargin(deliberation=deliberation, feature=f, value=v, share=Decimal(str(s)))
        for f, shares in MARGINS.items()
        for v, s in shares.items()
    )


def complete_response(wave, respondent_id, answers, **profile):
    """A complete response with answers given per item (numbers or text)."""
    from surveys.actions import answer_rows
    from surveys.models import Response
    from surveys.questionnaires import item_index, questions_of, specs_of

    questions = questions_of(wave.questionnaire)
    response = Response.objects.create(
        wave=wave, respondent_id=respondent_id, status=Response.Status.COMPLETE, **profile
    )
    index = item_index(questions, specs_of(questions))
    Answer.objects.bulk_create(answer_rows(response.pk, index, answers))
    return response


FULL_ANSWERS = {
    "Q1": 1.0,
    "Q2_1": 1.0,
    "Q2_2": 0.0,
    "Q2_3": 1.0,
    "Q3": 4.0,
    "Q4": 7.0,
    "Q5": 3.5,
    "Q6": "재활용",
    "Q8": 1.0,
    "Q9_a": 2.0,
    "Q9_b": 5.0,
}
