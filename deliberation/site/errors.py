"""The site's own error pages (500, CSRF failure), in its layout and the visitor's language."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; when the layout itself cannot be drawn (the database is down), plain text."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered")
        message = _("Something went wrong on our side. Please try again in a moment.")
        return HttpResponseServerError(message, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token: usually an expired or reopened page."""
    return render(request, "403_csrf.html", status=403)
