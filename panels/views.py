"""Organizer pages for the pool, quotas, feasibility, the computed lottery and the draw."""

from __future__ import annotations

import dataclasses
import math

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core import background
from deliberation.core.access import (
    can_manage,
    can_see_contacts,
    deny_unless,
    login_required_any_role,
    role_required,
)
from deliberation.core.actions import ActionRefused
from deliberation.core.file_limits import FileTooLarge, check_length
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from deliberation.core.uploads import accepts_upload, data_file_bytes, limit_message, upload_limits
from panels import actions, diagnoses, selection, selectors
from panels.charts import comparison_svg
from panels.forms import (
    ConfirmationDeadlineForm,
    DrawForm,
    MarginsForm,
    NewQuotaForm,
    PanelistStatusForm,
    PlanForm,
    PoolImportForm,
    QuotaFormSet,
    RegionForm,
    SeatAnswerForm,
    StructuredMarginsForm,
)
from panels.funnel import funnel_table
from panels.margins import (
    PERCENT_TOLERANCE,
    Margin,
    MarginIssue,
    margins_from_percentages,
    margins_to_csv,
    parse_margins,
    template_csv,
)
from panels.models import (
    REASON_LENGTH,
    Panelist,
    PoolImport,
    Region,
    SeatContact,
    SelectionAudit,
    SelectionRun,
    Volunteer,
    VolunteerContact,
)
from panels.pool_file import PoolIssue
from panels.problem import plan_of, problem_from_snapshot, snapshot
from panels.representativeness import probability_summary


def _deliberation(slug: str) -> Deliberation:
    return get_object_or_404(Deliberation, slug=slug)


@role_required(Role.ORGANIZER)
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    context = {
        "deliberation": deliberation,
        "plan": plan_of(deliberation),
        "margin_count": deliberation.margins.count(),
        "pool_counts": _status_counts(deliberation.volunteers, Volunteer.Status),
        "quota_count": deliberation.quotas.count(),
        "latest_run": deliberation.selection_runs.first(),
        "audit": deliberation.selection_audits.first(),
        "panel_counts": _status_counts(deliberation.panelists, Panelist.Status),
    }
    return render(request, "panels/overview.html", context)


def _status_counts(rows, statuses) -> list[tuple[str, int]]:
    """(the status's words, how many) in the statuses' order, those present only."""
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    return [(status.label, counts[status.value]) for status in statuses if status.value in counts]


def _region_initial(region: Region) -> dict:
    return {
        "name": region.name,
        "name_en": region.name_en,
        "districts": "\n".join(d.name for d in region.districts.all()),
    }


@role_required(Role.ORGANIZER)
def regions(request: HttpRequest, slug: str) -> HttpResponse:
    """The deliberation's regions and their districts: add, rename, reorder, delete."""
    deliberation = _deliberation(slug)
    current = selectors.regions_of(deliberation.pk)
    forms_by_region = {
        r.pk: RegionForm(initial=_region_initial(r), prefix=f"region-{r.pk}") for r in current
    }
    new_form = RegionForm(prefix="new")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        region = next((r for r in current if str(r.pk) == request.POST.get("region")), None)
        form = None
        try:
            if action == "add":
                form = new_form = RegionForm(request.POST, prefix="new")
                if form.is_valid():
                    data = form.cleaned_data
                    actions.do_add_region(
                        deliberation,
                        data["name"],
                        data["name_en"],
                        data["districts"],
                        actor=request.user,
                    )
                    messages.success(request, _("Region added."))
                    return redirect("panels:regions", slug=slug)
            elif region is not None and action == "save":
                form = RegionForm(request.POST, prefix=f"region-{region.pk}")
                forms_by_region[region.pk] = form
                if form.is_valid():
                    data = form.cleaned_data
                    actions.do_update_region(
                        region, data["name"], data["name_en"], data["districts"], actor=request.user
                    )
                    messages.success(request, _("Region saved."))
                    return redirect("panels:regions", slug=slug)
            elif region is not None and action in ("up", "down"):
                actions.do_move_region(region, -1 if action == "up" else 1, actor=request.user)
                return redirect(
                    f"{reverse('panels:regions', kwargs={'slug': slug})}#region-{region.pk}"
                )
            elif region is not None and action == "delete":
                actions.do_delete_region(region, actor=request.user)
                messages.success(request, _("Region deleted."))
                return redirect("panels:regions", slug=slug)
            else:
                messages.error(request, _("This region no longer exists."))
        except ActionRefused as refused:
            if form is not None:
                form.add_error(None, refused.detail)
            else:
                messages.error(request, refused.detail)
        status = 400
    context = {
        "deliberation": deliberation,
        "rows": [(r, forms_by_region[r.pk]) for r in current],
        "new_form": new_form,
    }
    return render(request, "panels/regions.html", context, status=status)


def _current_margins(deliberation: Deliberation) -> list[Margin]:
    return [
        Margin(m.feature, m.value, float(m.share), m.population)
        for m in deliberation.margins.order_by("feature", "value")
    ]


def _unknown_regions(deliberation: Deliberation, margins: list[Margin]) -> list[MarginIssue]:
    """A region margin must name one of the deliberation's regions, when it has some."""
    regions = set(selectors.region_names(deliberation.pk))
    if not regions:
        return []
    return [
        MarginIssue(None, "unknown_region", {"region": m.value})
        for m in margins
        if m.feature == "region" and m.value not in regions
    ]


@accepts_upload(data_file_bytes)
@role_required(Role.ORGANIZER)
def margins(request: HttpRequest, slug: str) -> HttpResponse:
    """The margins by a form of shares per feature, or as a CSV table pasted or uploaded."""
    deliberation = _deliberation(slug)
    current = _current_margins(deliberation)
    labels = selectors.labels_for(deliberation)
    structured_kwargs = {
        "categories": selectors.margin_categories(deliberation),
        "initial_shares": {(m.feature, m.value): m.share for m in current},
        "labels": labels,
        "prefix": "shares",
    }
    posted_shares = request.method == "POST" and request.POST.get("action") == "shares"
    structured = StructuredMarginsForm(request.POST if posted_shares else None, **structured_kwargs)
    form = MarginsForm(
        request.POST if request.method == "POST" and not posted_shares else None,
        request.FILES or None,
    )
    issues: list[MarginIssue] = []
    status = 200
    if posted_shares:
        if structured.is_valid():
            populations = {(m.feature, m.value): m.population for m in current}
            parsed = margins_from_percentages(structured.rows(), populations)
            actions.do_replace_margins(deliberation, parsed, actor=request.user)
            messages.success(request, _("Population margins saved."))
            return redirect("panels:margins", slug=slug)
        status = 400
        form = MarginsForm(initial={"text": margins_to_csv(current)})
    elif request.method == "POST":
        if form.is_valid():
            parsed, issues = parse_margins(form.cleaned_data["text"])
            issues = issues or _unknown_regions(deliberation, parsed)
            if not issues:
                actions.do_replace_margins(deliberation, parsed, actor=request.user)
                messages.success(request, _("Population margins saved."))
                return redirect("panels:margins", slug=slug)
        status = 400
    else:
        form = MarginsForm(initial={"text": margins_to_csv(current)})
    context = {
        "deliberation": deliberation,
        "form": form,
        "structured": structured,
        "issues": [(issue.row, diagnoses.margin_issue(issue, labels)) for issue in issues],
        "margins": current,
        "tolerance": PERCENT_TOLERANCE,
    }
    return render(request, "panels/margins.html", context, status=status)


@role_required(Role.ORGANIZER)
def margins_template(request: HttpRequest, slug: str) -> HttpResponse:
    """A margins CSV to fill in: the deliberation's features and categories, shares known."""
    deliberation = _deliberation(slug)
    labels = selectors.labels_for(deliberation)
    categories = selectors.margin_categories(deliberation)
    text = template_csv(
        categories,
        {(m.feature, m.value): m for m in _current_margins(deliberation)},
        {(f, v): labels.bilingual(f, v) for f, values in categories.items() for v in values},
    )
    response = HttpResponse(("\ufeff" + text).encode("utf-8"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="margins-{deliberation.slug}.csv"'
    return response


@accepts_upload(data_file_bytes)
@role_required(Role.ORGANIZER)
def pool(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    allowed = selectors.allowed_values(deliberation)
    form = PoolImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_length(upload.size, upload_limits())
        except FileTooLarge as exc:
            form.add_error("file", limit_message(exc))
            status = 400
        else:
            actions.do_queue_pool_import(
                deliberation,
                filename=upload.name,
                content=upload.read(),
                actor=request.user,
                language=get_language() or settings.LANGUAGE_CODE,
            )
            messages.success(request, _("The file is being checked; the pool follows below."))
            return redirect("panels:pool", slug=slug)
    elif request.method == "POST":
        status = 400
    latest = deliberation.pool_imports.defer("content").first()
    stored = [PoolIssue(**issue) for issue in latest.issues] if latest else []
    issues = [dataclasses.replace(issue, reason=diagnoses.pool_issue(issue)) for issue in stored]
    volunteers = deliberation.volunteers.order_by("external_id")
    # deliberation_id too: the related manager sets each row's deliberation from it, and
    # reading a deferred field costs a query per row.
    fields = ("deliberation_id", "external_id", "source", "features", "status")
    page = Paginator(volunteers.only(*fields), 100).get_page(request.GET.get("page"))
    features = sorted(allowed)
    by_feature = {
        feature: _pool_counts(deliberation, feature, sorted(values))
        for feature, values in sorted(allowed.items())
    }
    context = {
        "deliberation": deliberation,
        "form": form,
        "issues": issues,
        "latest_import": latest,
        "page": page,
        "features": features,
        "rows": [(v, [(f, v.features.get(f, "")) for f in features]) for v in page],
        "by_feature": by_feature,
        "total": volunteers.count(),
        "can_see_contacts": can_see_contacts(request.user, deliberation),
    }
    return render(request, "panels/pool.html", context, status=status)


def _pool_counts(deliberation: Deliberation, feature: str, values: list[str]) -> list[tuple]:
    counts = dict(
        Volunteer.objects.filter(deliberation=deliberation, status=Volunteer.Status.AVAILABLE)
        .values_list(f"features__{feature}")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(value, counts.get(value, 0)) for value in values]


@role_required(Role.ORGANIZER)
def contacts(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    deny_unless(can_see_contacts(request.user, deliberation))
    contacts_qs = (
        VolunteerContact.objects.filter(volunteer__deliberation=deliberation)
        .select_related("volunteer")
        .order_by("volunteer__external_id")
    )
    page = Paginator(contacts_qs, 100).get_page(request.GET.get("page"))
    return render(request, "panels/contacts.html", {"deliberation": deliberation, "page": page})


@role_required(Role.ORGANIZER)
def quotas(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    plan = plan_of(deliberation)
    rows = list(deliberation.quotas.order_by("feature", "value"))
    initial = [{"feature": q.feature, "value": q.value, "min": q.min, "max": q.max} for q in rows]
    categories = {f: list(v) for f, v in selectors.target_shares(deliberation).items()}
    plan_form = PlanForm(instance=plan, prefix="plan", categories=categories)
    formset = QuotaFormSet(initial=initial, prefix="quota")
    new_form = NewQuotaForm(prefix="new")
    status = 200
    action = request.POST.get("action")
    if request.method == "POST":
        if action == "plan":
            plan_form = PlanForm(request.POST, instance=plan, prefix="plan", categories=categories)
            if plan_form.is_valid():
                actions.do_update_plan(deliberation, **plan_form.cleaned_data, actor=request.user)
                messages.success(request, _("Panel plan saved."))
                return redirect("panels:quotas", slug=slug)
        elif action == "derive":
            if not deliberation.margins.exists():
                messages.error(request, _("Enter the population margins first."))
                return redirect("panels:margins", slug=slug)
            actions.do_derive_quotas(deliberation, actor=request.user)
            messages.success(request, _("Quotas derived from the population shares."))
            return redirect("panels:quotas", slug=slug)
        elif action == "save":
            formset = QuotaFormSet(request.POST, initial=initial, prefix="quota")
            if formset.is_valid():
                keep = [
                    selection.Quota(f["feature"], f["value"], f["min"], f["max"])
                    for f in formset.cleaned_data
                    if f and not request.POST.get(f"delete-{f['feature']}={f['value']}")
                ]
                actions.do_replace_quotas(deliberation, keep, actor=request.user)
                messages.success(request, _("Quotas saved."))
                return redirect("panels:quotas", slug=slug)
        elif action == "add":
            new_form = NewQuotaForm(request.POST, prefix="new")
            if new_form.is_valid():
                data = new_form.cleaned_data
                if any(q.feature == data["feature"] and q.value == data["value"] for q in rows):
                    new_form.add_error("value", _("This quota exists already."))
                else:
                    added = [selection.Quota(q.feature, q.value, q.min, q.max) for q in rows]
                    added.append(
                        selection.Quota(data["feature"], data["value"], data["min"], data["max"])
                    )
                    actions.do_replace_quotas(deliberation, added, actor=request.user)
                    messages.success(request, _("Quota added."))
                    return redirect("panels:quotas", slug=slug)
        status = 400
    context = {
        "deliberation": deliberation,
        "plan": plan,
        "plan_form": plan_form,
        "formset": formset,
        "new_form": new_form,
        "preview": selectors.derived_quotas(deliberation) if deliberation.margins.exists() else [],
        "poll_targets": selectors.poll_targets(deliberation),
        "recruitment": selectors.recruitment(deliberation, plan),
    }
    return render(request, "panels/quotas.html", context, status=status)


def feasibility_report(deliberation: Deliberation) -> tuple[selection.Problem | None, object]:
    """The problem and its feasibility report, or None and an input error."""
    try:
        problem = problem_from_snapshot(snapshot(deliberation))
    except selection.SelectionInputError as exc:
        return None, exc
    return problem, selection.check_feasibility(problem)


@role_required(Role.ORGANIZER)
def feasibility(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    context: dict = {"deliberation": deliberation, "has_quotas": deliberation.quotas.exists()}
    if context["has_quotas"]:
        problem, report = feasibility_report(deliberation)
        if problem is None:
            context["input_error"] = str(report)
        else:
            context["problem"] = problem
            context["report"] = report
            labels = selectors.labels_for(deliberation)
            context["conflicts"] = [diagnoses.conflict(c, labels) for c in report.conflicts]
    return render(request, "panels/feasibility.html", context)


@role_required(Role.ORGANIZER)
@require_POST
def apply_relaxation(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    problem, report = feasibility_report(deliberation)
    if problem is None or report.feasible or not report.relaxation:
        messages.error(request, _("There is no relaxation to apply."))
    else:
        try:
            actions.do_apply_relaxation(deliberation, report.relaxation, actor=request.user)
        except ValueError:
            messages.error(request, _("The quotas changed meanwhile; review the new diagnosis."))
        else:
            messages.success(request, _("The proposed relaxation was applied."))
    return redirect(reverse("panels:feasibility", kwargs={"slug": slug}))


@role_required(Role.ORGANIZER)
def compute(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    if request.method == "POST":
        try:
            run = actions.do_start_run(deliberation, actor=request.user)
        except actions.RunAlreadyActive:
            messages.error(request, _("A computation is already queued or running."))
        else:
            messages.success(request, _("Computation started."))
            return redirect(f"{reverse('panels:compute', kwargs={'slug': slug})}#run-{run.pk}")
        return redirect("panels:compute", slug=slug)
    runs = list(
        deliberation.selection_runs.select_related("created_by", "cancelled_by").defer(
            "inputs", "lottery", "probabilities"
        )[:10]
    )
    latest = runs[0] if runs else None
    context = {
        "deliberation": deliberation,
        "runs": runs,
        "latest": latest,
        "timings": _timings(latest) if latest else [],
        "worker_hint": _worker_hint(latest) if latest else "",
    }
    return render(request, "panels/compute.html", context)


def _timings(run: SelectionRun) -> list[tuple[str, object]]:
    """The run's timings, each step named in words; a step of another name keeps its key."""
    steps = {
        "feasibility_seconds": _("Feasibility check"),
        "leximin_seconds": _("Selection probabilities (LEXIMIN)"),
        "lottery_seconds": _("Lottery of panels"),
    }
    # In the order the steps run (PostgreSQL's jsonb does not keep the keys' order).
    order = {key: n for n, key in enumerate(steps)}
    timings = sorted(
        run.timings.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
    )
    return [(steps.get(key, key), seconds) for key, seconds in timings]


def _worker_hint(run: SelectionRun) -> str:
    if run.status == SelectionRun.Status.QUEUED and not background.worker_seen_recently():
        return _(
            "No background worker has been seen recently; the computation starts when one "
            "runs (manage.py worker)."
        )
    return ""


def run_status_data(run: SelectionRun) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "progress": str(run.get_progress_display()) if run.progress else "",
        "progress_key": run.progress,
        "error": run.error,
        "finished": run.status in SelectionRun.FINISHED,
        "hint": _worker_hint(run),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "timings": run.timings,
        "min_probability": run.min_probability,
        "max_probability": run.max_probability,
    }


@role_required(Role.ORGANIZER)
@require_POST
def cancel_run(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    deliberation = _deliberation(slug)
    run = get_object_or_404(
        SelectionRun.objects.defer("inputs", "lottery", "probabilities"),
        pk=run_id,
        deliberation=deliberation,
    )
    try:
        actions.do_cancel_run(run, actor=request.user)
    except actions.RunNotActive:
        messages.error(request, _("This computation has already finished; nothing was cancelled."))
    else:
        messages.success(request, _("The computation was cancelled."))
    return redirect("panels:compute", slug=slug)


@role_required(Role.ORGANIZER)
def run_status(request: HttpRequest, slug: str, run_id: int) -> JsonResponse:
    run = get_object_or_404(
        SelectionRun.objects.defer("inputs", "lottery", "probabilities"),
        pk=run_id,
        deliberation__slug=slug,
    )
    return JsonResponse(run_status_data(run))


def _latest_done_run(deliberation: Deliberation) -> SelectionRun | None:
    return (
        deliberation.selection_runs.filter(status=SelectionRun.Status.DONE)
        .defer("inputs", "probabilities")
        .first()
    )


@role_required(Role.ORGANIZER)
def draw(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    run = _latest_done_run(deliberation)
    audit = deliberation.selection_audits.first()
    # About one in ten of those drawn drop out before the first session.
    suggested = math.ceil(plan_of(deliberation).panel_size / 10)
    form = DrawForm(request.POST or None, initial={"reserves": suggested})
    status = 200
    if request.method == "POST":
        if form.is_valid() and run is not None and audit is None:
            try:
                actions.do_draw(
                    run,
                    form.cleaned_data["public_number"],
                    actor=request.user,
                    reserves=form.cleaned_data["reserves"],
                )
            except actions.DrawRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The panel has been drawn."))
                return redirect("panels:audit", slug=slug)
        status = 400
    context = {"deliberation": deliberation, "run": run, "audit": audit, "form": form}
    return render(request, "panels/draw.html", context, status=status)


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{100 * rate:.1f}%"


def _pool_funnel(deliberation: Deliberation) -> dict | None:
    """The part of the recruitment funnel the panels app sees: volunteers, drawn, confirmed,
    overall and per stratum (the report carries the whole funnel, poll to last wave)."""
    table = funnel_table(selectors.pool_funnel(deliberation).steps)
    if not any(r.count for r in table.rows):
        return None
    labels = selectors.labels_for(deliberation)

    def cells(rows):
        return [{"count": r.count, "from_previous": _percent(r.from_previous)} for r in rows]

    return {
        "rows": [
            {
                "label": r.label,
                "count": r.count,
                "from_previous": _percent(r.from_previous),
                "from_first": _percent(r.from_first),
            }
            for r in table.rows
        ],
        "steps": [r.label for r in table.rows],
        "strata": [
            {
                "name": labels.feature(feature),
                "categories": [
                    (labels.category(feature, category), cells(rows))
                    for category, rows in by_category.items()
                ],
            }
            for feature, by_category in table.strata.items()
        ],
    }


@role_required(Role.ORGANIZER)
def panel(request: HttpRequest, slug: str) -> HttpResponse:
    """The seats, what happened to each (drawn, invited when, answered), and counts per
    status; names and contacts only for organizers holding the contact permission."""
    deliberation = _deliberation(slug)
    contacts = can_see_contacts(request.user, deliberation)
    related = ["user__profile", "replaces", "replaced_by"]
    if contacts:
        related += ["volunteer__contact"]
    seats = deliberation.panelists.select_related(*related).order_by("draw_position", "pseudonym")
    counts = dict(deliberation.panelists.values_list("status").annotate(n=Count("id")).order_by())
    drawn = deliberation.panelists.filter(status=Panelist.Status.DRAWN)
    context = {
        "deliberation": deliberation,
        "seats": seats,
        "summary": [
            (value, label, counts.get(value, 0)) for value, label in Panelist.Status.choices
        ],
        "total": sum(counts.values()),
        "status_choices": Panelist.Status.choices,
        "can_see_contacts": contacts,
        "uninvited": drawn.exclude(user__email="").count(),
        "unreachable": drawn.filter(user__email="").count(),
        "funnel": _pool_funnel(deliberation),
    }
    record = deliberation.selection_audits.select_related("run").first()
    if record is not None and record.reserves:
        groups = selectors.reserves_by_stratum(record)
        context["reserve_groups"] = groups
        context["reserves_waiting"] = sum(group["waiting"] for group in groups)
        context["drop_outs"] = deliberation.panelists.filter(
            status__in=[Panelist.Status.DECLINED, Panelist.Status.DROPPED],
            replaced_by__isnull=True,
            volunteer__isnull=False,
        ).count()
    return render(request, "panels/panel.html", context)


@role_required(Role.ORGANIZER)
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    login_url = request.build_absolute_uri(reverse("account_request_login_code"))
    n = actions.do_send_invitations(deliberation, login_url=login_url, actor=request.user)
    messages.success(request, _("%(n)d invitations sent.") % {"n": n})
    return redirect("panels:panel", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def panelist_status(request: HttpRequest, slug: str, panelist_id: int) -> HttpResponse:
    seat = get_object_or_404(Panelist, pk=panelist_id, deliberation__slug=slug)
    form = PanelistStatusForm(request.POST)
    if form.is_valid():
        actions.do_set_panelist_status(seat, form.cleaned_data["status"], actor=request.user)
        messages.success(request, _("Status of %(p)s saved.") % {"p": seat.pseudonym})
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("panels:panel", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def replace_from_reserves(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    try:
        seats = actions.do_replace_from_reserves(deliberation, actor=request.user)
    except actions.ReplacementRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d drop-out replaced from the reserves.",
                "%(n)d drop-outs replaced from the reserves.",
                len(seats),
            )
            % {"n": len(seats)},
        )
    return redirect("panels:panel", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def replace(request: HttpRequest, slug: str, panelist_id: int) -> HttpResponse:
    seat = get_object_or_404(Panelist, pk=panelist_id, deliberation__slug=slug)
    try:
        new = actions.do_replace_panelist(seat, actor=request.user)
    except actions.ReplacementRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(old)s is replaced by %(new)s.") % {"old": seat.pseudonym, "new": new.pseudonym},
        )
    return redirect("panels:panel", slug=slug)


@role_required(Role.PANELIST)
@require_POST
def seat_respond(request: HttpRequest, panelist_id: int) -> HttpResponse:
    """A panelist confirms or declines their own seat (a decline may say why)."""
    seat = get_object_or_404(Panelist, pk=panelist_id)
    deny_unless(seat.user_id == request.user.pk)
    answer = request.POST.get("answer", "")
    # The home page's one form holds both buttons: a reason typed, then "confirm" pressed,
    # confirms (the reason goes with a decline only).
    try:
        actions.do_record_seat_answer(
            seat,
            answer,
            channel=SeatContact.Channel.PRODUCT,
            reason=request.POST.get("reason", "") if answer == "decline" else "",
            actor=request.user,
        )
    except ActionRefused as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Thank you, your answer is recorded."))
    return redirect("deliberation:home")


@role_required(Role.ORGANIZER)
def confirmations(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the confirmations stand per stratum, and every seat's contact log."""
    deliberation = _deliberation(slug)
    dashboard = selectors.confirmation_dashboard(deliberation)
    deadline = dashboard["deadline"]
    context = {
        "deliberation": deliberation,
        "dashboard": dashboard,
        "seats": selectors.contact_log(deliberation),
        "deadline_form": ConfirmationDeadlineForm(
            initial={
                "deadline": timezone.localtime(deadline).strftime("%Y-%m-%dT%H:%M")
                if deadline
                else None
            }
        ),
        "reason_length": REASON_LENGTH,
        "unanswered": deliberation.panelists.filter(status=Panelist.Status.INVITED)
        .exclude(user__email="")
        .count(),
    }
    return render(request, "panels/confirmations.html", context)


@role_required(Role.ORGANIZER)
@require_POST
def record_answer(request: HttpRequest, slug: str, panelist_id: int) -> HttpResponse:
    """Staff record the answer a panelist gave by telephone."""
    seat = get_object_or_404(Panelist, pk=panelist_id, deliberation__slug=slug)
    form = SeatAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This answer cannot be recorded."))
        return redirect("panels:confirmations", slug=slug)
    try:
        actions.do_record_seat_answer(
            seat,
            form.cleaned_data["answer"],
            channel=SeatContact.Channel.PHONE,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ActionRefused as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Answer of %(p)s recorded.") % {"p": seat.pseudonym})
    return redirect("panels:confirmations", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def confirmation_deadline(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    form = ConfirmationDeadlineForm(request.POST)
    if form.is_valid():
        actions.do_set_confirmation_deadline(
            deliberation, form.cleaned_data["deadline"], actor=request.user
        )
        messages.success(request, _("Confirmation deadline saved."))
    else:
        messages.error(request, _("Enter a valid date and time."))
    return redirect("panels:confirmations", slug=slug)


@role_required(Role.ORGANIZER)
@require_POST
def send_reminders(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    login_url = request.build_absolute_uri(reverse("account_request_login_code"))
    n = actions.do_send_confirmation_reminders(
        deliberation, login_url=login_url, actor=request.user
    )
    messages.success(
        request,
        ngettext("%(n)d reminder sent.", "%(n)d reminders sent.", n) % {"n": n},
    )
    return redirect("panels:confirmations", slug=slug)


def _report_context(deliberation: Deliberation) -> dict:
    probabilities = selectors.selection_probabilities(deliberation)
    return {
        "deliberation": deliberation,
        "comparisons": selectors.representativeness(deliberation),
        "probabilities": probability_summary(probabilities) if probabilities else None,
        "panel_size": selectors.active_panel(deliberation).count(),
    }


@role_required(Role.ORGANIZER, Role.ANALYST)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    context = _report_context(deliberation)
    context["can_manage"] = can_manage(request.user, deliberation)
    return render(request, "panels/report.html", context)


@role_required(Role.ORGANIZER, Role.ANALYST)
def report_chart(request: HttpRequest, slug: str) -> HttpResponse:
    context = _report_context(_deliberation(slug))
    labels = {
        "population": _("Population"),
        "pool": _("Pool"),
        "panel": _("Panel"),
        "share": _("Share"),
    }
    deliberation = context["deliberation"]
    svg = comparison_svg(context["comparisons"], labels, selectors.labels_for(deliberation))
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required_any_role
def audit(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    record = deliberation.selection_audits.select_related("run", "actor").first()
    context = {
        "deliberation": deliberation,
        "audit": record,
        "can_manage": can_manage(request.user, deliberation),
    }
    if record is not None:
        context["summary"] = probability_summary(record.probabilities)
        context["lottery_size"] = record.lottery.get("size")
    return render(request, "panels/audit.html", context)


@login_required_any_role
def audit_record_json(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(slug)
    record = get_object_or_404(
        SelectionAudit.objects.select_related("run", "actor", "deliberation"),
        deliberation=deliberation,
    )
    data = selectors.audit_record(record)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="selection-audit-{record.pk}.json"'
    return response


@role_required(Role.ORGANIZER)
def pool_import_status(request: HttpRequest, slug: str, pool_import_id: int) -> JsonResponse:
    """A volunteer file's import, for the pool page to follow until it ends."""
    pool_import = get_object_or_404(
        PoolImport.objects.defer("content", "issues"),
        pk=pool_import_id,
        deliberation__slug=slug,
    )
    progress = pool_import.get_progress_display() if pool_import.progress else ""
    return JsonResponse(
        {
            "id": pool_import.pk,
            "status": pool_import.status,
            "status_label": pool_import.get_status_display(),
            "progress": str(progress),
            "progress_key": pool_import.progress,
            "finished": not pool_import.active,
            "hint": _pool_worker_hint(pool_import),
        }
    )


@role_required(Role.ORGANIZER)
@require_POST
def cancel_pool_import(request: HttpRequest, slug: str, pool_import_id: int) -> HttpResponse:
    pool_import = get_object_or_404(
        PoolImport.objects.defer("content", "issues"),
        pk=pool_import_id,
        deliberation__slug=slug,
    )
    try:
        actions.do_cancel_pool_import(pool_import, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The file was cancelled; nobody was added from it."))
    return redirect("panels:pool", slug=slug)


def _pool_worker_hint(pool_import: PoolImport) -> str:
    if pool_import.status == PoolImport.Status.QUEUED and not background.worker_seen_recently():
        return _(
            "No background worker has been seen recently; the file is handled when one "
            "runs (manage.py worker)."
        )
    return ""
