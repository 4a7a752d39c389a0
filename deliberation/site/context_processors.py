"""What the site's base template needs to know about the page's deliberation."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from deliberation.core.access import deliberation_of_url
from deliberation.core.models import Deliberation


def _is_public(view_name: str) -> bool:
    return view_name.startswith("deliberation:public_")


def page_deliberation(request: HttpRequest) -> dict[str, Callable[[], Deliberation | None]]:
    """The deliberation the page belongs to, found from its URL when a template asks.

    The demo banner shows on a demo deliberation's pages only, not on a real city's pages
    that happen to share a site with the demo. Pages reached by a token (a survey link)
    have no such argument; the base template asks their wave instead.
    """
    found: list[Deliberation | None] = []

    def lookup() -> Deliberation | None:
        if not found:
            match = getattr(request, "resolver_match", None)
            if match is None or _is_public(match.view_name):
                # A public URL's answer, 404 included, must not tell whether a deliberation
                # exists; its pages pass what the banner needs themselves.
                found.append(None)
            else:
                found.append(deliberation_of_url(match.kwargs))
        return found[0]

    return {"page_deliberation": lookup}
