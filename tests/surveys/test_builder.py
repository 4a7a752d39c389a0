"""Organizers build questionnaires; a questionnaire with responses only gets new versions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys import actions
from surveys.models import Option, Question, Questionnaire, Response
from tests.surveys.conftest import EN
from tests.surveys.factories import QuestionnaireFactory, WaveFactory, build_every_type

OPTIONS_EMPTY = {
    "options-TOTAL_FORMS": "0",
    "options-INITIAL_FORMS": "0",
    "grid-TOTAL_FORMS": "0",
    "grid-INITIAL_FORMS": "0",
}


def question_data(**overrides):
    data = {
        "code": "Q10",
        "kind": "single",
        "text_ko": "분리배출을 하십니까?",
        "text_en": "Do you separate your waste?",
        "required": "on",
        **OPTIONS_EMPTY,
    }
    data.update(overrides)
    return data


def test_organizer_adds_a_single_choice_question_with_options(client, organizer):
    questionnaire = QuestionnaireFactory()
    client.force_login(organizer)
    data = question_data(
        **{
            "options-TOTAL_FORMS": "2",
            "options-0-value": "1",
            "options-0-label_ko": "예",
            "options-0-label_en": "Yes",
            "options-1-value": "2",
            "options-1-label_ko": "아니오",
        }
    )
    url = reverse("surveys:question_create", args=[questionnaire.pk])
    assert client.post(url, data).status_code == 302
    question = Question.objects.get(questionnaire=questionnaire)
    assert question.text_en == "Do you separate your waste?"
    assert list(question.options.values_list("value", "label_en")) == [(1, "Yes"), (2, "")]


def test_likert_question_gets_its_labelled_scale(client, organizer):
    questionnaire = QuestionnaireFactory()
    client.force_login(organizer)
    url = reverse("surveys:question_create", args=[questionnaire.pk])
    client.post(url, question_data(kind="likert", likert_points="7"))
    question = Question.objects.get()
    assert question.options.count() == 7
    assert question.options.get(value=7).label_en == "Strongly agree"


def test_show_if_must_point_to_an_earlier_question(client, organizer):
    questionnaire = QuestionnaireFactory()
    questions = build_every_type(questionnaire)
    client.force_login(organizer)
    url = reverse("surveys:question_edit", args=[questions["Q1"].pk])
    page = client.post(
        url,
        question_data(code="Q1", show_if_question=questions["Q3"].pk, show_if_values="1"),
        **EN,
    )
    assert page.status_code == 400
    assert Question.objects.get(pk=questions["Q1"].pk).show_if_question is None


def test_numeric_range_must_be_ordered(client, organizer):
    questionnaire = QuestionnaireFactory()
    client.force_login(organizer)
    url = reverse("surveys:question_create", args=[questionnaire.pk])
    page = client.post(url, question_data(kind="numeric", min_value="10", max_value="1"), **EN)
    assert page.status_code == 400
    assert "must not be below" in page.content.decode()


def test_moving_a_question_reorders_the_questionnaire(client, organizer):
    questionnaire = QuestionnaireFactory()
    questions = build_every_type(questionnaire)
    client.force_login(organizer)
    client.post(reverse("surveys:question_move", args=[questions["Q4"].pk]), {"direction": "up"})
    codes = list(questionnaire.questions.order_by("order").values_list("code", flat=True))
    assert codes[:4] == ["Q1", "Q2", "Q4", "Q3"]


def test_a_question_cannot_move_above_the_question_it_depends_on(client, organizer):
    questionnaire = QuestionnaireFactory()
    questions = build_every_type(questionnaire)
    client.force_login(organizer)
    client.post(reverse("surveys:question_move", args=[questions["Q2"].pk]), {"direction": "up"})
    codes = list(questionnaire.questions.order_by("order").values_list("code", flat=True))
    assert codes[:2] == ["Q1", "Q2"]


def test_questionnaire_with_responses_cannot_be_edited(client, organizer):
    wave = WaveFactory()
    questions = build_every_type(wave.questionnaire)
    Response.objects.create(wave=wave, respondent_id="R1")
    client.force_login(organizer)
    url = reverse("surveys:question_edit", args=[questions["Q1"].pk])
    page = client.post(url, question_data(code="Q1", text_ko="바뀐 질문"))
    assert page.status_code == 303
    assert Question.objects.get(pk=questions["Q1"].pk).text_ko != "바뀐 질문"
    delete = reverse("surveys:question_delete", args=[questions["Q1"].pk])
    assert client.post(delete).status_code == 303
    assert Question.objects.filter(pk=questions["Q1"].pk).exists()


def test_new_version_copies_questions_options_and_show_if_rules(client, organizer):
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    Response.objects.create(wave=wave, respondent_id="R1")
    client.force_login(organizer)
    client.post(reverse("surveys:questionnaire_new_version", args=[wave.questionnaire.pk]))
    copy = Questionnaire.objects.get(version=2)
    assert copy.previous == wave.questionnaire
    assert copy.questions.count() == wave.questionnaire.questions.count()
    q2 = copy.questions.get(code="Q2")
    assert q2.show_if_question.questionnaire == copy
    assert Option.objects.filter(question__questionnaire=copy, is_correct=True).count() == 1
    assert copy.questions.get(code="Q9").grid_items.count() == 2
    assert not copy.has_responses()


def test_deleting_a_question_clears_rules_that_depend_on_it(db):
    questionnaire = QuestionnaireFactory()
    questions = build_every_type(questionnaire)
    actions.do_delete_question(questions["Q1"])
    assert Question.objects.get(code="Q2", questionnaire=questionnaire).show_if_question is None


def test_preview_shows_every_question_without_a_submit_button(client, organizer):
    questionnaire = QuestionnaireFactory()
    build_every_type(questionnaire)
    client.force_login(organizer)
    html = client.get(reverse("surveys:questionnaire_preview", args=[questionnaire.pk]), **EN)
    html = html.content.decode()
    assert 'id="q-Q9"' in html and 'value="submit"' not in html


def test_organizer_creates_a_wave(client, organizer):
    questionnaire = QuestionnaireFactory()
    client.force_login(organizer)
    url = reverse("surveys:wave_create", args=[questionnaire.deliberation.slug])
    data = {"questionnaire": questionnaire.pk, "kind": "poll", "label": "W1", "title": "1차"}
    assert client.post(url, data).status_code == 302
    assert questionnaire.waves.get().label == "W1"


def _fields(row, *, leave_out: tuple[str, ...]) -> dict:
    return {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key and f.name not in leave_out
    }


def test_a_new_version_and_a_copy_into_a_panel_wave_carry_every_field_of_each_question(db):
    source = QuestionnaireFactory()
    questions = build_every_type(source)
    scale = questions["Q5"]
    for name, value in {
        "help_ko": "도움말",
        "help_en": "A hint",
        "low_label_ko": "전혀",
        "high_label_en": "Fully",
        "min_value": 0.0,
        "max_value": 10.0,
        "required": False,
    }.items():
        setattr(scale, name, value)
    scale.save()
    target = QuestionnaireFactory(deliberation=source.deliberation, title="사전 조사")
    assert actions.do_copy_questions(source, target, ["Q5", "Q9"]) == 2
    version = actions.do_new_version(source)
    leave_out = ("questionnaire", "order", "show_if_question")
    for copy_of in (target, version):
        for original in source.questions.filter(code__in=["Q5", "Q9"]):
            copy = copy_of.questions.get(code=original.code)
            assert _fields(copy, leave_out=leave_out) == _fields(original, leave_out=leave_out)
            for related in ("options", "grid_items"):
                rows = [getattr(q, related).all() for q in (copy, original)]
                copied, originals = ([_fields(r, leave_out=("question",)) for r in q] for q in rows)
                assert copied == originals


def test_a_second_questionnaire_with_the_same_title_is_refused_and_nothing_is_saved(db):
    first = QuestionnaireFactory()
    twin = Questionnaire(deliberation=first.deliberation, title=first.title)
    with pytest.raises(actions.QuestionnaireTitleTaken):
        actions.do_create_questionnaire(twin)
    assert Questionnaire.objects.filter(title=first.title).count() == 1
