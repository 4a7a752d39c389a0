"""What the site's base template needs to know about the page's deliberation."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.http import HttpRequest

from deliberation.core.models import Deliberation

# A URL argument, and how a deliberation is reached from the object it names.
_URL_ARGUMENTS = {
    "slug": "slug",
    "wave_id": "waves__pk",
    "import_id": "waves__imports__pk",
    "question_id": "questionnaires__questions__pk",
    "session_id": "sessions__pk",
    "group_id": "sessions__groups__pk",
    "material_id": "sessions__materials__pk",
    "panelist_id": "panelists__pk",
}


def page_deliberation(request: HttpRequest) -> dict[str, Callable[[], Deliberation | None]]:
    """The deliberation the page belongs to, found from its URL when a template asks.

    The demo banner shows on a demo deliberation's pages only, not on a real city's pages
    that happen to share a site with the demo. Pages reached by a token (a survey link)
    have no such argument; the base template asks their wave instead.
    """
    found: list[Deliberation | None] = []

    def lookup() -> Deliberation | None:
        if not found:
            found.append(_from_url(request))
        return found[0]

    return {"page_deliberation": lookup}


def _from_url(request: HttpRequest) -> Deliberation | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    for argument, lookup in _URL_ARGUMENTS.items():
        value = match.kwargs.get(argument)
        if value is not None:
            return Deliberation.objects.filter(Q(**{lookup: value})).distinct().first()
    return None
