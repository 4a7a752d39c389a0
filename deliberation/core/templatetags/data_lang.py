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

HANGUL_CHARS = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
HANGUL = re.compile(f"[{HANGUL_CHARS}]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A stretch of Korean inside an English sentence: from a Hangul syllable (with the digits
# before it, "1차") to the last Hangul syllable or closing bracket before the next Latin
# letter — "시민참여단 1차 조사 (숙의 전)" in "rose from 3.1 in 시민참여단 1차 조사 (숙의 전) to".
HANGUL_RUN = re.compile(f"\\d*[{HANGUL_CHARS}](?:[^A-Za-z]*[{HANGUL_CHARS})\\]])?")


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
    text = str(value)
    if language == "ko" and LATIN_WORD.search(HANGUL_RUN.sub(" ", text)):
        # An English sentence that names Korean data: mark each Korean stretch only.
        parts, end = [], 0
        for run in HANGUL_RUN.finditer(text):
            parts.append(conditional_escape(text[end : run.start()]))
            parts.append(format_html('<span lang="ko">{}</span>', run.group()))
            end = run.end()
        parts.append(conditional_escape(text[end:]))
        return mark_safe("".join(parts))
    return format_html('<span lang="{}">{}</span>', language, value)


@register.filter(is_safe=True)
def lang_attr(value: object) -> SafeString:
    """`` lang="ko"`` for an element holding the value, when its language is not the page's."""
    if value is None:
        return mark_safe("")
    language = foreign_language(value)
    return format_html(' lang="{}"', language) if language else mark_safe("")


@register.filter(is_safe=True, needs_autoescape=True)
def paragraphs_in_lang(value: object, autoescape: bool = True) -> SafeString:
    """``linebreaks`` for a text written in two languages, paragraph by paragraph (a
    material's Korean summary and its English one): each ``<p>`` marked with its own."""
    text = str(value or "").replace("\r\n", "\n").strip()
    escape = conditional_escape if autoescape else str
    out = []
    for paragraph in re.split(r"\n{2,}", text):
        if paragraph.strip():
            lines = mark_safe("<br>".join(escape(line) for line in paragraph.strip().split("\n")))
            out.append(format_html("<p{}>{}</p>", lang_attr(paragraph), lines))
    return mark_safe("\n\n".join(out))
