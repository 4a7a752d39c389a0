"""Home pages per role and the organizer's view of a deliberation's stages."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from deliberation.core.access import (
    can_analyse,
    can_manage,
    deliberations_of,
    role_required,
    roles_of,
)
from deliberation.core.actions import do_update_stage
from deliberation.core.models import Deliberation, Stage
from deliberation.core.roles import Role
from deliberation.forum.models import ForumGroup, Session
from deliberation.site.forms import StageForm
from deliberation.site.schedule import schedule
from panels.models import Panelist
from surveys.models import Wave


def home(request: HttpRequest) -> HttpResponse:
    """A landing page for visitors; a dashboard with one section per role for users."""
    if not request.user.is_authenticated:
        return render(request, "deliberation/landing.html")
    roles = roles_of(request.user)
    context: dict = {
        "roles": roles,
        "role_labels": [Role(role).label for role in Role.values if role in roles],
    }
    if roles & {Role.ORGANIZER, Role.ANALYST}:
        mine = deliberations_of(request.user, Role.ORGANIZER, Role.ANALYST).filter(
            archived_at__isnull=True
        )
        context["deliberations"] = mine.prefetch_related("stages")
        context["all_sessions"] = (
            Session.objects.filter(deliberation__in=mine)
            .select_related("deliberation")
            .annotate(group_count=Count("groups"))
            .order_by("deliberation__title", "starts_at")
        )
    if Role.FACILITATOR in roles:
        context["facilitated_groups"] = (
            ForumGroup.objects.filter(
                facilitator=request.user,
                session__deliberation__in=deliberations_of(request.user, Role.FACILITATOR),
            )
            .select_related("session__deliberation")
            .annotate(member_count=Count("members"))
            .order_by("session__starts_at", "name")
        )
    if Role.EXPERT in roles:
        context["expert_sessions"] = Session.objects.filter(
            experts=request.user, deliberation__in=deliberations_of(request.user, Role.EXPERT)
        ).select_related("deliberation")
    if Role.PANELIST in roles:
        seats = Panelist.objects.filter(user=request.user).select_related("deliberation")
        context["panel_seats"] = seats
        on_panel = Panelist.objects.active().filter(user=request.user).values("deliberation_id")
        context["panelist_groups"] = (
            ForumGroup.objects.filter(members=request.user)
            .select_related("session__deliberation", "facilitator")
            .order_by("session__starts_at")
        )
        context["panelist_plenaries"] = (
            Session.objects.filter(
                kind__in=[Session.Kind.PLENARY, Session.Kind.EXPERT_DEBATE],
                deliberation__in=on_panel,
            )
            .select_related("deliberation")
            .order_by("starts_at")
        )
        context["panel_waves"] = (
            Wave.objects.filter(deliberation__in=on_panel)
            .exclude(kind=Wave.Kind.POLL)
            .select_related("deliberation")
        )
    return render(request, "deliberation/home.html", context)


@role_required(Role.ORGANIZER, Role.ANALYST)
def deliberation_list(request: HttpRequest) -> HttpResponse:
    deliberations = deliberations_of(request.user, Role.ORGANIZER, Role.ANALYST).annotate(
        stage_count=Count("stages", distinct=True),
        done_count=Count("stages", filter=Q(stages__status=Stage.Status.DONE), distinct=True),
    )
    return render(request, "deliberation/deliberation_list.html", {"deliberations": deliberations})


@role_required(Role.ORGANIZER, Role.ANALYST)
def deliberation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(
        Deliberation.objects.prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("order")),
            Prefetch(
                "sessions",
                queryset=Session.objects.annotate(group_count=Count("groups")).order_by(
                    "starts_at"
                ),
            ),
        ),
        slug=slug,
    )
    waves = list(deliberation.waves.select_related("questionnaire"))
    context = {
        "deliberation": deliberation,
        "can_edit": can_manage(request.user, deliberation),
        "can_analyse": can_analyse(request.user, deliberation),
        "schedule": schedule(deliberation.sessions.all(), waves),
        "panel_counts": [
            (Panelist.Status(status).label, count)
            for status, count in deliberation.panelists.values_list("status")
            .annotate(n=Count("id"))
            .order_by("status")
        ],
        "waves": waves,
    }
    return render(request, "deliberation/deliberation_detail.html", context)


@role_required(Role.ORGANIZER)
def stage_edit(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(
        Stage.objects.select_related("deliberation"), pk=stage_id, deliberation__slug=slug
    )
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        do_update_stage(stage, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Stage updated."))
        return redirect(stage.deliberation)
    return render(request, "deliberation/stage_form.html", {"form": form, "stage": stage})
