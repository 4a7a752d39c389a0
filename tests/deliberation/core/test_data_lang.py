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
