"""Korean is the default language: every message is translated and compiled."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils import translation

PO_FILE = Path(__file__).resolve().parents[1] / "locale" / "ko" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(
    r'^(?P<flags>(?:#.*\n)*)(?:msgctxt (?P<context>"(?:.*)"\n(?:".*"\n)*))?'
    r'msgid (?P<msgid>"(?:.*)"\n(?:".*"\n)*)'
    r'(?:msgid_plural (?P<plural>"(?:.*)"\n(?:".*"\n)*))?'
    r'(?P<msgstr>(?:msgstr(?:\[\d\])? "(?:.*)"\n(?:".*"\n)*)+)',
    re.MULTILINE,
)


def unquote(block: str) -> str:
    return "".join(ast.literal_eval(line) for line in block.strip().splitlines())


def po_entries() -> list[tuple[str, str, bool, bool, str]]:
    """(msgid, msgstr, fuzzy, plural, context) of every entry; context "" when none."""
    text = PO_FILE.read_text(encoding="utf-8")
    entries = []
    for match in ENTRY.finditer(text + "\n"):
        msgid = unquote(match["msgid"])
        if not msgid:
            continue
        strings = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', match["msgstr"])
        msgstr = unquote(strings[0]) if strings else ""
        context = unquote(match["context"]) if match["context"] else ""
        entries.append((msgid, msgstr, "fuzzy" in match["flags"], bool(match["plural"]), context))
    return entries


def test_every_message_has_a_korean_translation():
    missing = [msgid for msgid, msgstr, fuzzy, *_ in po_entries() if not msgstr or fuzzy]
    assert not missing, f"untranslated or fuzzy messages: {missing[:20]}"


def test_the_compiled_catalogue_matches_the_po_file():
    stale = []
    with translation.override("ko"):
        for msgid, msgstr, _, plural, context in po_entries():
            if plural or not msgstr:
                continue
            compiled = (
                translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            )
            if compiled != msgstr:
                stale.append(msgid)
    assert not stale, f"run compilemessages; stale entries: {stale[:20]}"
