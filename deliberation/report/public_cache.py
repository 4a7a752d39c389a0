"""The cache of a deliberation's public page and files, one entry per language or file.

The public pages (deliberation.site) store their rendering here; the publication and
tracking actions drop it when they commit. Each key carries the deliberation's
generation, which ``invalidate`` replaces: a rendering that started before a change and
is stored after it lands under the old generation, where nobody reads it. Other edits (a
stage's dates, a new material) reach the page within ``TIMEOUT``.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache

TIMEOUT = 600
FRONT = "front"


def _generation(scope: str) -> str:
    key = f"public-generation:{scope}"
    generation = cache.get(key)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(key, generation, None)
        generation = cache.get(key) or generation
    return generation


def page_key(slug: str, language: str) -> str:
    return f"public-page:{slug}:{_generation(slug)}:{language}"


def front_key(language: str) -> str:
    return f"public-front:{_generation(FRONT)}:{language}"


def file_key(slug: str, name: str) -> str:
    return f"public-file:{slug}:{_generation(slug)}:{name}"


def invalidate(slug: str) -> None:
    """Start a new generation of the deliberation's page and files and of the front page."""
    cache.set_many(
        {
            f"public-generation:{slug}": uuid.uuid4().hex,
            f"public-generation:{FRONT}": uuid.uuid4().hex,
        },
        None,
    )
