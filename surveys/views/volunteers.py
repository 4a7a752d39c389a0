"""Poll volunteers join the panel's pool: the organizer brings them in from the pool page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core.access import role_required
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from panels import diagnoses
from panels.selectors import allowed_values
from surveys import actions


@role_required(Role.ORGANIZER)
@require_POST
def add_poll_volunteers(request: HttpRequest, slug: str) -> HttpResponse:
    """Bring the poll's opt-ins into the pool; needs the right to see their contacts."""
    deliberation = get_object_or_404(Deliberation, slug=slug)
    before = deliberation.volunteers.count()
    try:
        check = actions.do_add_poll_volunteers(
            deliberation, allowed_values(deliberation), actor=request.user
        )
    except PermissionDenied:
        messages.error(
            request,
            _("Adding poll volunteers needs the permission to see their contact details."),
        )
        return redirect("panels:pool", slug=slug)
    if not check.ok:
        for issue in check.issues[:20]:
            reason = diagnoses.pool_issue(issue)
            messages.error(request, f"{issue.row}: {issue.column} {issue.value} — {reason}")
        messages.error(request, _("No poll volunteer was added; fix the problems listed."))
    else:
        added = deliberation.volunteers.count() - before
        messages.success(request, _("%(n)d poll volunteers added to the pool.") % {"n": added})
    return redirect("panels:pool", slug=slug)
