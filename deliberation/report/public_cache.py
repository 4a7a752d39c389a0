"""The cache of a deliberation's rendered public page, one entry per language.

The public pages (deliberation.site) store their rendering here; the publication and
tracking actions drop it when they commit, so a visitor never reads a stale answer for
longer than the entry's lifetime after any other edit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

# Other edits (a stage's dates, a new material) reach the page within this many seconds.
TIMEOUT = 600


def page_key(slug: str, language: str) -> str:
    return f"public-page:{slug}:{language}"


def front_key(language: str) -> str:
    return f"public-front:{language}"


def file_key(slug: str, name: str) -> str:
    return f"public-file:{slug}:{name}"


def invalidate(slug: str) -> None:
    """Forget the deliberation's public page, its open-data files and the front page."""
    from deliberation.report.open_data import FILES

    keys = [page_key(slug, code) for code, _name in settings.LANGUAGES]
    keys += [front_key(code) for code, _name in settings.LANGUAGES]
    keys += [file_key(slug, f.name) for f in FILES]
    cache.delete_many(keys)
