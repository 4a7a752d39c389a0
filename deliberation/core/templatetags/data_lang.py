"""Mark data in another language than the page's (WCAG 3.1.2, language of parts).

Names, titles, questions and answers are entered by people in the language they wrote
them in; an English page that shows a Korean title must say so, or a screen reader
reads it with English rules. ``{{ value|in_lang }}`` wraps the value in
``<span lang="ko">`` (or ``lang="en"``) when its script is not the page's language;
``<option{{ value|lang_attr }}>`` does the same where no element may be added.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def language_of(value: object) -> str:
    """The language a piece of data is written in, told by its script: "ko", "en" or ""."""
    text = str(value)
    if HANGUL.search(text):
        return "ko"
    if LATIN_WORD.search(text):
        return "en"
    return ""


def foreign_language(value: object) -> str:
    """The data's language when it is not the page's, else ""."""
    language = language_of(value)
    page = (get_language() or "ko").split("-")[0]
    return language if language and language != page else ""


@register.filter(is_safe=True)
def in_lang(value: object) -> SafeString:
    """The value, escaped, in a ``<span lang>`` when its language is not the page's."""
    if value is None or value == "":
        return mark_safe("")
    language = foreign_language(value)
    if not language:
        return conditional_escape(value)
    return format_html('<span lang="{}">{}</span>', language, value)


@register.filter(is_safe=True)
def lang_attr(value: object) -> SafeString:
    """`` lang="ko"`` for an element holding the value, when its language is not the page's."""
    language = foreign_language(value)
    return format_html(' lang="{}"', language) if language else mark_safe("")
