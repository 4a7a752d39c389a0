"""The policy-recommendation report: page, narrative editing, exports and the PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core import background
from deliberation.core.access import (
    can_analyse,
    can_manage,
    deny_unless,
    department_of,
    role_required,
)
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from deliberation.report.actions import (
    do_cancel_report_render,
    do_request_report_render,
    do_save_report_narratives,
    do_set_publication,
    do_set_report_headline,
    do_update_recommendation_status,
)
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import render_json
from deliberation.report.document import report_context
from deliberation.report.forms import (
    DEPARTMENT_LIST_ID,
    PublicationForm,
    RecommendationStatusForm,
    ReportNarrativeForm,
)
from deliberation.report.models import PUBLIC_PARTS, Publication, ReportRender
from deliberation.report.public import assigned_to, publication_of, tracked_recommendations
from deliberation.report.selectors import (
    build_report_data,
    narratives,
    recommendations,
    tracking_departments,
)
from deliberation.report.workbook import render_xlsx
from panels.selectors import active_panel
from surveys.wave_data import headline_choices, panel_answers, wave_sav_bytes

ANALYSIS_ROLES = (Role.ORGANIZER, Role.ANALYST)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _deliberation(request: HttpRequest, slug: str) -> Deliberation:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    deny_unless(can_analyse(request.user, deliberation))
    return deliberation


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@role_required(*ANALYSIS_ROLES)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(request, slug)
    context = report_context(analyse(build_report_data(deliberation)))
    context["deliberation"] = deliberation
    context["latest_render"] = deliberation.report_renders.first()
    context["headline_choices"] = headline_choices(deliberation)
    return render(request, "report/page.html", context)


@role_required(*ANALYSIS_ROLES)
@require_POST
def report_headline(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the headline question (blank: the default rule); a refusal changes nothing."""
    deliberation = _deliberation(request, slug)
    try:
        do_set_report_headline(deliberation, request.POST.get("item", ""), actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, _("Headline question saved."))
    return redirect("report:page", slug=deliberation.slug)


@role_required(*ANALYSIS_ROLES)
def report_narrative(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(request, slug)
    form = ReportNarrativeForm(request.POST or None, initial_texts=narratives(deliberation))
    if request.method == "POST" and form.is_valid():
        do_save_report_narratives(deliberation, form.texts(), actor=request.user)
        messages.success(request, _("Report text saved."))
        return redirect("report:page", slug=deliberation.slug)
    return render(request, "report/narrative.html", {"form": form, "deliberation": deliberation})


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*ANALYSIS_ROLES)
def report_json(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(request, slug)
    content = render_json(analyse(build_report_data(deliberation)))
    return _download(content, f"{deliberation.slug}-analysis.json", "application/json")


@role_required(*ANALYSIS_ROLES)
def report_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    deliberation = _deliberation(request, slug)
    content = render_xlsx(analyse(build_report_data(deliberation)))
    return _download(content, f"{deliberation.slug}-analysis.xlsx", XLSX)


@role_required(*ANALYSIS_ROLES)
def report_waves_sav(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel waves in wide format (one row per pseudonym) with labels, for SPSS or R."""
    deliberation = _deliberation(request, slug)
    panel = panel_answers(deliberation)
    if panel is None:
        raise Http404("No panel survey answers yet.")
    return _download(
        wave_sav_bytes(panel), f"{deliberation.slug}-panel-waves.sav", "application/x-spss-sav"
    )


def _status(render_obj: ReportRender) -> dict:
    slug = render_obj.deliberation.slug
    labels = {
        ReportRender.Status.DONE: _("Download PDF"),
        ReportRender.Status.FAILED: _("The PDF could not be made:"),
    }
    return {
        "id": render_obj.pk,
        "status": render_obj.status,
        "progress": render_obj.progress,
        "label": labels.get(render_obj.status, render_obj.get_status_display()),
        "error": render_obj.error,
        "status_url": reverse("report:render_status", args=[slug, render_obj.pk]),
        "download_url": reverse("report:render_file", args=[slug, render_obj.pk])
        if render_obj.status == ReportRender.Status.DONE
        else None,
        "cancel_url": reverse("report:render_cancel", args=[slug, render_obj.pk])
        if render_obj.is_active
        else None,
        "cancel_label": _("Cancel"),
        "hint": _(
            "No background worker has been seen recently; the PDF is made when one runs "
            "(manage.py worker)."
        )
        if render_obj.status == ReportRender.Status.QUEUED and not background.worker_seen_recently()
        else "",
    }


@role_required(*ANALYSIS_ROLES)
def report_renders(request: HttpRequest, slug: str) -> HttpResponse:
    """GET lists the PDFs made so far; POST asks for a new one (made in the background)."""
    deliberation = _deliberation(request, slug)
    if request.method == "POST":
        render_obj = do_request_report_render(
            deliberation, actor=request.user, language=translation.get_language() or "ko"
        )
        if _wants_json(request):
            return JsonResponse(_status(render_obj), status=202)
        messages.info(request, _("The PDF is being made; this page shows when it is ready."))
        return redirect("report:page", slug=deliberation.slug)
    renders = deliberation.report_renders.select_related("deliberation")[:20]
    return render(
        request,
        "report/renders.html",
        {"deliberation": deliberation, "renders": renders},
    )


def _render_of(request: HttpRequest, slug: str, render_id: int) -> ReportRender:
    deliberation = _deliberation(request, slug)
    return get_object_or_404(
        ReportRender.objects.select_related("deliberation"), pk=render_id, deliberation=deliberation
    )


@role_required(*ANALYSIS_ROLES)
def report_render_status(request: HttpRequest, slug: str, render_id: int) -> JsonResponse:
    return JsonResponse(_status(_render_of(request, slug, render_id)))


@role_required(*ANALYSIS_ROLES)
@require_POST
def report_render_cancel(request: HttpRequest, slug: str, render_id: int) -> HttpResponse:
    render_obj = _render_of(request, slug, render_id)
    try:
        render_obj = do_cancel_report_render(render_obj, actor=request.user)
    except ActionRefused as refusal:
        if _wants_json(request):
            return JsonResponse({**_status(render_obj), "refused": refusal.detail}, status=409)
        messages.error(request, refusal.detail)
    else:
        if _wants_json(request):
            return JsonResponse(_status(render_obj))
        messages.success(request, _("The PDF was cancelled."))
    return redirect("report:page", slug=slug)


@role_required(*ANALYSIS_ROLES)
def report_render_file(request: HttpRequest, slug: str, render_id: int) -> FileResponse:
    render_obj = _render_of(request, slug, render_id)
    if render_obj.status != ReportRender.Status.DONE or not render_obj.file:
        raise Http404("This PDF is not ready.")
    try:
        handle = render_obj.file.open("rb")
    except FileNotFoundError:
        raise Http404("This PDF is no longer stored.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{render_obj.deliberation.slug}-report.pdf",
        content_type="application/pdf",
    )


def _managed(request: HttpRequest, slug: str) -> Deliberation:
    deliberation = get_object_or_404(Deliberation, slug=slug)
    deny_unless(can_manage(request.user, deliberation))
    return deliberation


@role_required(Role.ORGANIZER)
def publication(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish or unpublish the public page, choose its parts and the data's licence."""
    deliberation = _managed(request, slug)
    current = publication_of(deliberation) or Publication(deliberation=deliberation)
    initial = {part: getattr(current, part) for part in PUBLIC_PARTS}
    initial.update(
        published=current.is_published,
        licence=current.licence,
        publish_microdata=current.publish_microdata,
    )
    form = PublicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_set_publication(
                deliberation,
                published=data["published"],
                parts={part: data[part] for part in PUBLIC_PARTS},
                licence=data["licence"],
                publish_microdata=data["publish_microdata"],
                actor=request.user,
            )
        except ActionRefused as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(
                request,
                _("The public page is published.")
                if data["published"]
                else _("The public page is not published."),
            )
            return redirect("report:publication", slug=deliberation.slug)
    return render(
        request,
        "report/publication.html",
        {"deliberation": deliberation, "form": form, "publication": current},
    )


@role_required(Role.ORGANIZER, Role.DEPARTMENT)
def tracking(request: HttpRequest, slug: str) -> HttpResponse:
    """Record the city's answer to each recommendation; every change is kept.

    Organizers see every recommendation and assign each to a department by naming it; a
    department officer sees and answers only those assigned to their own department.
    """
    deliberation = get_object_or_404(Deliberation, slug=slug)
    organizer = can_manage(request.user, deliberation)
    department = "" if organizer else department_of(request.user, deliberation)
    deny_unless(organizer or bool(department))
    officer = not organizer
    failed: RecommendationStatusForm | None = None
    if request.method == "POST":
        posted = request.POST.get("recommendation", "")
        form = RecommendationStatusForm(
            request.POST,
            officer=officer,
            auto_id=f"id_r{posted}_%s" if posted.isdigit() else "id_%s",
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_update_recommendation_status(
                    deliberation,
                    data["recommendation"],
                    status=data["status"],
                    response=data["response"],
                    department=department if officer else data["department"],
                    responded_on=data["responded_on"],
                    actor=request.user,
                )
            except ActionRefused as refused:
                messages.error(request, refused.detail)
                failed = form
            else:
                messages.success(request, _("The recommendation's status is saved."))
                return redirect(
                    f"{reverse('report:tracking', args=[deliberation.slug])}"
                    f"#recommendation-{data['recommendation']}"
                )
        else:
            failed = form
    rows = recommendations(deliberation, active_panel(deliberation).count())
    tracked = tracked_recommendations(deliberation, rows)
    if officer:
        tracked = assigned_to(tracked, department)
    items = []
    for one in tracked:
        if failed is not None and str(failed.data.get("recommendation")) == str(one.pk):
            form_of = failed
        else:
            form_of = RecommendationStatusForm(
                initial={
                    "recommendation": one.pk,
                    "status": one.status,
                    "responded_on": one.responded_on or timezone.localdate(),
                    "department": one.department,
                    "response": one.response,
                },
                officer=officer,
                auto_id=f"id_r{one.pk}_%s",
            )
        items.append((one, form_of))
    status = 400 if failed is not None else 200
    return render(
        request,
        "report/tracking.html",
        {
            "deliberation": deliberation,
            "items": items,
            "failed": failed,
            "officer_department": department,
            "departments": [] if officer else tracking_departments(deliberation),
            "department_list_id": DEPARTMENT_LIST_ID,
        },
        status=status,
    )
