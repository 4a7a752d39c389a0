"""Readable page addresses for deliberations, from Korean titles too.

A Korean title is romanized (Revised Romanization, korean-romanizer) so the address stays
ASCII, readable and typeable: "버스 노선 개편 공론화" → "beoseu-noseon-gaepyeon-gongronhwa".
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.text import slugify
from korean_romanizer.romanizer import Romanizer

MAX_LENGTH = 60
# Addresses the site's own pages use under /deliberations/.
RESERVED = frozenset({"new"})


def readable_slug(title: str, title_en: str = "", *, taken: Callable[[str], bool]) -> str:
    """An unused address from the English title if given, else from the romanized title."""
    base = slugify(title_en) or slugify(Romanizer(title).romanize()) or "deliberation"
    base = base[:MAX_LENGTH].strip("-")
    candidate, n = base, 2
    while candidate in RESERVED or taken(candidate):
        suffix = f"-{n}"
        candidate = base[: MAX_LENGTH - len(suffix)].strip("-") + suffix
        n += 1
    return candidate
