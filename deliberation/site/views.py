"""Home pages per role and the organizer's view of a deliberation's stages."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core import actions, audit
from deliberation.core.access import (
    can_analyse,
    can_manage,
    can_see_contacts,
    deliberations_of,
    has_role,
    prime_roles,
    role_required,
    roles_of,
)
from deliberation.core.models import AuditLogEntry, Deliberation, Membership, Stage
from deliberation.core.names import display_name
from deliberation.core.roles import TEAM_ROLES, Role
from deliberation.core.templatetags.data_lang import in_lang
from deliberation.forum.models import ForumGroup, Session
from deliberation.report.selectors import department_desks
from deliberation.site import public
from deliberation.site.forms import (
    DeliberationForm,
    StageAddForm,
    StageForm,
    TeamCSVForm,
    TeamInviteForm,
)
from deliberation.site.journey import journey
from deliberation.site.schedule import schedule
from panels.labels import FEATURE_LABELS, StrataLabels, feature_label
from panels.models import REASON_LENGTH, Panelist
from panels.selectors import labels_for
from surveys.selectors import panel_waves_of

# The axe-core version the accessibility crawl (tests/a11y) runs; the statement names it.
AXE_VERSION = "4.14.1"


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the standard aimed at, how it is tested, limits, contact."""
    return render(
        request,
        "deliberation/accessibility.html",
        {
            "contact": settings.GONGNON_ACCESSIBILITY_CONTACT,
            "axe_version": AXE_VERSION,
        },
    )


def home(request: HttpRequest) -> HttpResponse:
    """The published deliberations for visitors; a dashboard with one section per role for users."""
    if not request.user.is_authenticated:
        return public.front_page(request)
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
    if Role.DEPARTMENT in roles:
        context["department_desks"] = department_desks(request.user)
    if Role.PANELIST in roles:
        seats = Panelist.objects.filter(user=request.user).select_related("deliberation")
        context["panel_seats"] = seats
        context["reason_length"] = REASON_LENGTH
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
        context["panel_waves"] = waves = panel_waves_of(request.user)
        context["several_panels"] = len({item.wave.deliberation_id for item in waves}) > 1
    return render(request, "deliberation/home.html", context)


@role_required(Role.ORGANIZER, Role.ANALYST)
def deliberation_list(request: HttpRequest) -> HttpResponse:
    deliberations = list(
        deliberations_of(request.user, Role.ORGANIZER, Role.ANALYST).prefetch_related("stages")
    )
    for deliberation in deliberations:
        stages = list(deliberation.stages.all())
        deliberation.stage_count = len(stages)
        deliberation.done_count = sum(s.current_status == Stage.Status.DONE for s in stages)
    context = {
        "deliberations": deliberations,
        "can_create": has_role(request.user, Role.ORGANIZER),
    }
    return render(request, "deliberation/deliberation_list.html", context)


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
        actions.do_update_stage(stage, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Stage updated."))
        return redirect(stage.deliberation)
    return render(request, "deliberation/stage_form.html", {"form": form, "stage": stage})


@role_required(Role.ORGANIZER)
def deliberation_create(request: HttpRequest) -> HttpResponse:
    form = DeliberationForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            deliberation = actions.do_create_deliberation(actor=request.user, **form.cleaned_data)
        except actions.ActionRefused as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Deliberation created. Next: its stages and team."))
            return redirect("deliberation:setup", slug=deliberation.slug)
    return render(request, "deliberation/deliberation_form.html", {"form": form})


@role_required(Role.ORGANIZER)
def deliberation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    form = DeliberationForm(request.POST or None, instance=deliberation)
    if request.method == "POST" and form.is_valid():
        actions.do_update_deliberation(
            Deliberation.objects.get(pk=deliberation.pk),
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(request, _("Deliberation saved."))
        return redirect("deliberation:detail", slug=slug)
    return render(
        request,
        "deliberation/deliberation_form.html",
        {"form": form, "deliberation": Deliberation.objects.get(pk=deliberation.pk)},
    )


@role_required(Role.ORGANIZER)
@require_POST
def deliberation_archive(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    archived = request.POST.get("archived") == "1"
    actions.do_set_archived(deliberation, archived=archived, actor=request.user)
    messages.success(
        request, _("Deliberation archived.") if archived else _("Deliberation restored.")
    )
    return redirect("deliberation:detail", slug=slug)


@role_required(Role.ORGANIZER)
def stage_add(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    form = StageAddForm(request.POST or None, deliberation=deliberation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_stage(deliberation, actor=request.user, **form.cleaned_data)
        except actions.ActionRefused as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Stage added."))
            return redirect(deliberation)
    return render(
        request, "deliberation/stage_add.html", {"form": form, "deliberation": deliberation}
    )


@role_required(Role.ORGANIZER)
@require_POST
def stage_remove(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=stage_id, deliberation__slug=slug)
    actions.do_remove_stage(stage, actor=request.user)
    messages.success(request, _("Stage removed: %(stage)s.") % {"stage": stage.get_kind_display()})
    return redirect("deliberation:detail", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def stage_move(request: HttpRequest, slug: str, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=stage_id, deliberation__slug=slug)
    offset = -1 if request.POST.get("direction") == "up" else 1
    actions.do_move_stage(stage, offset=offset, actor=request.user)
    return redirect(reverse("deliberation:detail", args=[slug]) + "#stages-heading")


def _team_context(request: HttpRequest, deliberation: Deliberation, **forms) -> dict:
    members = (
        Membership.objects.filter(deliberation=deliberation)
        .select_related("user", "invited_by")
        .order_by("role", "user__email")
    )
    by_role = {role: [] for role in TEAM_ROLES}
    for membership in members:
        by_role[membership.role].append(membership)
    return {
        "deliberation": deliberation,
        "teams": [(Role(role).label, role, by_role[role]) for role in TEAM_ROLES],
        "invite_form": forms.get("invite_form") or TeamInviteForm(),
        "csv_form": forms.get("csv_form") or TeamCSVForm(),
        "can_share_contacts": can_see_contacts(request.user, deliberation),
    }


def _invite(request: HttpRequest, deliberation: Deliberation, invitations) -> bool:
    login_url = request.build_absolute_uri(reverse("account_request_login_code"))
    try:
        added = actions.do_invite_to_team(
            deliberation, invitations, login_url=login_url, actor=request.user
        )
    except actions.ActionRefused as exc:
        messages.error(request, exc.detail)
        return False
    messages.success(
        request,
        _("%(added)d invited, %(known)d already on the team.")
        % {"added": len(added), "known": len(invitations) - len(added)},
    )
    return True


@role_required(Role.ORGANIZER)
def team(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    invite_form = TeamInviteForm(request.POST or None)
    if request.method == "POST" and invite_form.is_valid():
        if _invite(request, deliberation, invite_form.invitations()):
            return redirect("deliberation:team", slug=slug)
    return render(
        request,
        "deliberation/team.html",
        _team_context(
            request, deliberation, invite_form=invite_form if request.method == "POST" else None
        ),
    )


@role_required(Role.ORGANIZER)
@require_POST
def team_import(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    csv_form = TeamCSVForm(request.POST, request.FILES)
    if csv_form.is_valid() and _invite(request, deliberation, csv_form.cleaned_data["file"]):
        return redirect("deliberation:team", slug=slug)
    return render(
        request, "deliberation/team.html", _team_context(request, deliberation, csv_form=csv_form)
    )


@role_required(Role.ORGANIZER)
@require_POST
def team_contact_access(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, deliberation__slug=slug
    )
    allowed = request.POST.get("allowed") == "1"
    try:
        actions.do_set_contact_access(membership, allowed, actor=request.user)
    except actions.ActionRefused as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            (
                _("%(person)s now sees volunteers' contact details.")
                if allowed
                else _("%(person)s no longer sees volunteers' contact details.")
            )
            % {"person": membership.user.email},
        )
    return redirect("deliberation:team", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def team_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, deliberation__slug=slug
    )
    try:
        actions.do_remove_from_team(membership, actor=request.user)
    except actions.ActionRefused as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("%(person)s is no longer %(role)s of this deliberation.")
            % {"person": membership.user.email, "role": Role(membership.role).label},
        )
    return redirect("deliberation:team", slug=slug)


@role_required(Role.ORGANIZER)
def setup(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    steps = journey(deliberation)
    context = {
        "deliberation": deliberation,
        "steps": steps,
        "done_count": sum(step.done for step in steps if not step.optional),
        "required_count": sum(not step.optional for step in steps),
    }
    return render(request, "deliberation/setup.html", context)


AUDIT_LOG_PAGE = 50


@role_required(Role.ORGANIZER)
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The deliberation's audit log, newest first, filtered by event and by person; with
    ``format=csv`` the filtered log as a file."""
    deliberation = get_object_or_404(Deliberation, slug=slug)
    event = request.GET.get("event", "")
    if event not in audit.EVENTS:
        event = ""
    actor = request.GET.get("actor", "")
    actor_id = int(actor) if actor.isdigit() else None
    entries = audit.entries_of(deliberation, event_type=event, actor_id=actor_id)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            ("\ufeff" + audit.log_csv(entries)).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="audit-log-{slug}.csv"'
        return response
    page = Paginator(entries, AUDIT_LOG_PAGE).get_page(request.GET.get("page"))
    logged = AuditLogEntry.objects.filter(deliberation=deliberation)
    actors = list(
        get_user_model()
        .objects.filter(pk__in=logged.values("actor_id"))
        .select_related("profile")
        .order_by("pk")
    )
    prime_roles([*actors, *(entry.actor for entry in page)])
    present = set(logged.order_by().values_list("event_type", flat=True).distinct())
    labels = labels_for(deliberation)
    context = {
        "deliberation": deliberation,
        "page_obj": page,
        "rows": [_audit_row(entry, labels) for entry in page],
        "events": [(key, label) for key, label in audit.EVENTS.items() if key in present],
        "actors": [(person.pk, display_name(person)) for person in actors],
        "event": event,
        "actor_id": actor_id,
    }
    return render(request, "deliberation/audit_log.html", context)


def _field_label(object_type: str, name: str, labels: StrataLabels) -> SafeString:
    """A changed field by its model's name for it; a margin or quota cell ("region=도심권")
    by its feature and category; else by its key, as code."""
    try:
        model = apps.get_model(object_type) if object_type else None
        field = model._meta.get_field(name) if model is not None else None
        # A reverse relation has no verbose name: it is named by its key, as code, below.
        if field is not None and hasattr(field, "verbose_name"):
            return conditional_escape(str(field.verbose_name))
    except (LookupError, ValueError, FieldDoesNotExist):
        pass
    feature, equals, value = name.partition("=")
    if equals and feature in FEATURE_LABELS:
        return format_html(
            "{}: {}", feature_label(feature), in_lang(labels.category(feature, value))
        )
    return _detail_key(name)


def _detail_key(key: str) -> SafeString:
    label = audit.detail_label(key)
    return conditional_escape(label) if label else format_html("<code>{}</code>", key)


def _audit_row(entry: AuditLogEntry, labels: StrataLabels) -> dict:
    return {
        "entry": entry,
        "who": display_name(entry.actor) if entry.actor_id else _("the system"),
        "what": audit.event_label(entry.event_type),
        "changes": [
            (_field_label(entry.object_type, name, labels), old, new)
            for name, (old, new) in entry.changes.items()
        ],
        "extra": [(_detail_key(key), value) for key, value in entry.extra.items()],
    }
