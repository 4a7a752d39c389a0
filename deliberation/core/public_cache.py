"""The cache of a deliberation's public page and files, one entry per language or file.

The public pages (deliberation.site) store their rendering here. Each key carries the
deliberation's generation, which ``invalidate`` replaces: a rendering that started before
a change and is stored after it lands under the old generation, where nobody reads it.
The publication and tracking actions invalidate when they commit; every other record the
page shows (the deliberation, its stages, sessions and materials, however they are
edited, the admin included) is watched with ``invalidate_when_changed``. ``TIMEOUT``
bounds what no watch reaches: counts drawn from the panel and the poll.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

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


def invalidate_when_changed(
    model: type[models.Model],
    slug_of: Callable[[Any], str | None],
    *,
    shown: Callable[[Any], bool] = lambda instance: True,
) -> None:
    """Drop the public page of the deliberation ``slug_of(instance)`` once a save or a
    deletion of ``model`` commits (read before the commit: a deleted row's parents remain).
    A save of a row the page does not show (``shown`` false) leaves the page alone."""

    def changed(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        if "created" in kwargs and not shown(instance):
            return
        slug = slug_of(instance)
        if slug is None:
            return
        transaction.on_commit(lambda: invalidate(slug), using=kwargs.get("using"))

    uid = f"public-cache:{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)


def slug_where(**lookup: Any) -> str | None:
    """The slug of the deliberation matching ``lookup``, read without loading the row."""
    from deliberation.core.models import Deliberation

    return Deliberation.objects.filter(**lookup).values_list("slug", flat=True).first()
