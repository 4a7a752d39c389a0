from django.template import Context, Template
from django.utils import translation

from deliberation.core.templatetags.data_lang import language_of


def render(source: str, **context) -> str:
    return Template("{% load data_lang %}" + source).render(Context(context))


def test_korean_data_on_an_english_page_is_marked_korean():
    with translation.override("en"):
        assert render("{{ v|in_lang }}", v="서울시 <공론화>") == (
            '<span lang="ko">서울시 &lt;공론화&gt;</span>'
        )
        assert render("<option{{ v|lang_attr }}>", v="도심권") == '<option lang="ko">'


def test_english_data_on_a_korean_page_is_marked_english_and_same_language_is_not():
    with translation.override("ko"):
        assert render("{{ v|in_lang }}", v="organizer") == '<span lang="en">organizer</span>'
        assert render("{{ v|in_lang }}", v="서울시") == "서울시"
        assert render("<td{{ v|lang_attr }}>", v="12") == "<td>"
    with translation.override("en"):
        assert render("{{ v|in_lang }}", v="Seoul & co") == "Seoul &amp; co"


def test_the_language_of_data_is_told_by_its_script():
    assert language_of("01조") == "ko"
    assert language_of("facilitator01") == "en"
    assert language_of("2021-09-25") == ""


def test_korean_names_inside_an_english_sentence_are_marked_one_by_one():
    sentence = "Rose from 3.1 in 시민참여단 1차 조사 (숙의 전) to 3.6 in 사후 조사."
    with translation.override("en"):
        assert render("{{ v|in_lang }}", v=sentence) == (
            'Rose from 3.1 in <span lang="ko">시민참여단 1차 조사 (숙의 전)</span> to 3.6 in '
            '<span lang="ko">사후 조사</span>.'
        )
        # Korean with no English words in it is marked as a whole.
        assert render("{{ v|in_lang }}", v="1단계 여론조사 (1,000명)") == (
            '<span lang="ko">1단계 여론조사 (1,000명)</span>'
        )


def test_a_missing_value_has_no_language():
    with translation.override("ko"):
        assert render("<td{{ v|lang_attr }}>", v=None) == "<td>"


def test_form_widgets_mark_options_texts_and_choices_with_their_language():
    from django import forms

    class Form(forms.Form):
        district = forms.ChoiceField(choices=[("a", "종로구"), ("b", "Jung-gu")])
        purpose = forms.CharField(widget=forms.Textarea)
        purpose_en = forms.CharField(widget=forms.Textarea(attrs={"lang": "en"}))
        name = forms.CharField()
        answer = forms.ChoiceField(choices=[("1", "동의한다")], widget=forms.RadioSelect)

    form = Form(initial={"purpose": "조사 목적입니다.", "purpose_en": "Purpose.", "name": "홍길동"})
    with translation.override("en"):
        html = str(form)
    assert '<option value="a" lang="ko">종로구</option>' in html
    assert '<option value="b">Jung-gu</option>' in html
    assert 'lang="ko">\n조사 목적입니다.</textarea>' in html
    assert html.count('lang="en"') == 1  # the widget's own lang is not doubled
    assert 'value="홍길동"' in html and 'lang="ko"' in html.split('value="홍길동"')[1][:60]
    assert '<span lang="ko">동의한다</span></label>' in html


def test_each_paragraph_of_a_two_language_text_is_marked_with_its_own_language():
    body = "데모 자료입니다.\n줄 바꿈.\n\nDemo material: <synthetic>."
    with translation.override("ko"):
        assert render("{{ v|paragraphs_in_lang }}", v=body) == (
            "<p>데모 자료입니다.<br>줄 바꿈.</p>\n\n"
            '<p lang="en">Demo material: &lt;synthetic&gt;.</p>'
        )
