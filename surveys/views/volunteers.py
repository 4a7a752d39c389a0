"""Poll volunteers join the panel's pool: the organizer brings them in from the pool page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core.access import role_required
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from panels import diagnoses
from panels import selectors as panel_selectors
from panels.selectors import allowed_values
from surveys import actions, opinion
from surveys.models import OpinionStratum


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


@role_required(Role.ORGANIZER)
def opinion_stratum(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the poll question whose answer the panel is drawn by, and see its targets."""
    deliberation = get_object_or_404(Deliberation, slug=slug)
    candidates = opinion.candidate_questions(deliberation)
    by_key = {f"{wave.pk}:{question.pk}": (wave, question) for wave, question in candidates}
    current = OpinionStratum.objects.filter(deliberation=deliberation).first()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "drop":
            actions.do_drop_opinion_stratum(deliberation, actor=request.user)
            messages.success(request, _("The panel is no longer drawn by prior opinion."))
            return redirect("surveys:opinion_stratum", slug=slug)
        pair = by_key.get(request.POST.get("question", ""))
        if pair is None:
            messages.error(request, _("Choose one of the poll's single-choice questions."))
            status = 400
        else:
            try:
                actions.do_choose_opinion_stratum(deliberation, *pair, actor=request.user)
            except ActionRefused as refusal:
                messages.error(request, refusal.detail)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "The panel is drawn by prior opinion too: targets from the weighted "
                        "poll saved. Derive the quotas again on the quotas page."
                    ),
                )
                return redirect("surveys:opinion_stratum", slug=slug)
    if current is not None:
        selected = f"{current.wave_id}:{current.question_id}"
    else:
        default = opinion.default_question(deliberation)
        selected = f"{default[0].pk}:{default[1].pk}" if default else ""
    weighted = None
    if current is not None:
        _shares, weighted = opinion.poll_shares(current.wave, current.question)
    context = {
        "deliberation": deliberation,
        "candidates": [(key, wave, question) for key, (wave, question) in by_key.items()],
        "selected": selected,
        "current": current,
        "targets": panel_selectors.poll_targets(deliberation),
        "weighted": weighted,
    }
    return render(request, "surveys/opinion_stratum.html", context, status=status)
