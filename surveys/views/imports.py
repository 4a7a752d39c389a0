"""Organizers import a polling firm's file: upload, map columns, read the report, import."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation.core import background
from deliberation.core.access import role_required
from deliberation.core.actions import ActionRefused
from deliberation.core.file_limits import FileTooLarge, check_length
from deliberation.core.roles import Role
from deliberation.core.uploads import accepts_upload, data_file_bytes, limit_message, upload_limits
from surveys import actions, imports, poll_import
from surveys.forms import ImportUploadForm
from surveys.models import PollImport, Wave
from surveys.poll_files import PollFileError, read_table
from surveys.questionnaires import questions_of, specs_of

PROFILE_LABELS = {
    poll_import.RESPONDENT_ID: gettext_lazy("Respondent id"),
    poll_import.REGION: gettext_lazy("Region"),
    poll_import.DISTRICT: gettext_lazy("District"),
    poll_import.GENDER: gettext_lazy("Gender"),
    poll_import.BIRTH_YEAR: gettext_lazy("Year of birth"),
    poll_import.AGE_BAND: gettext_lazy("Age band"),
    poll_import.DURATION: gettext_lazy("Interview time (seconds)"),
}


def _import(import_id: int) -> PollImport:
    return get_object_or_404(
        PollImport.objects.select_related("wave__questionnaire", "wave__deliberation"),
        pk=import_id,
    )


@accepts_upload(data_file_bytes)
@role_required(Role.ORGANIZER)
def upload(request: HttpRequest, wave_id: int) -> HttpResponse:
    """A file is stored only once it has been read whole within the limits."""
    wave = get_object_or_404(Wave.objects.select_related("deliberation"), pk=wave_id)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limits = upload_limits()
        try:
            check_length(upload.size, limits)
        except FileTooLarge as exc:
            form.add_error("file", limit_message(exc))
        else:
            content = upload.read()
            try:
                table = read_table(upload.name, content, limits)
            except PollFileError as exc:
                if exc.limit is not None:
                    form.add_error("file", limit_message(exc.limit))
                else:
                    form.add_error(
                        "file", _("The file cannot be read: %(reason)s.") % {"reason": exc}
                    )
            else:
                poll = actions.do_store_upload(
                    wave,
                    filename=upload.name,
                    content=content,
                    columns=table.columns,
                    actor=request.user,
                )
                return redirect("surveys:import_mapping", import_id=poll.pk)
    return render(
        request,
        "surveys/import_upload.html",
        {"wave": wave, "form": form, "imports": wave.imports.defer("content")[:10]},
        status=400 if form.is_bound else 200,
    )


def mapping_form(poll: PollImport, data=None) -> forms.Form:
    specs = specs_of(questions_of(poll.wave.questionnaire))
    items = [item for spec in specs for item in spec.item_codes()]
    choices = [("", _("(ignore this column)"))]
    choices += [(target, f"{label} ({target})") for target, label in PROFILE_LABELS.items()]
    choices += [(item, item) for item in items]
    initial = poll.mapping or imports.suggest_mapping(poll.columns, items, poll.wave)
    form = forms.Form(data)
    for i, column in enumerate(poll.columns):
        form.fields[f"c{i}"] = forms.ChoiceField(
            label=column, choices=choices, required=False, initial=initial.get(column, "")
        )
    return form


@role_required(Role.ORGANIZER)
def mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    poll = _import(import_id)
    if poll.status == PollImport.Status.IMPORTED or actions.job_alive(poll):
        return redirect("surveys:import_report", import_id=poll.pk)
    form = mapping_form(poll, request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        chosen = {column: form.cleaned_data[f"c{i}"] for i, column in enumerate(poll.columns)}
        problems = imports.mapping_problems(poll.wave, chosen)
        if not problems:
            try:
                actions.do_queue_check(poll, chosen, language=_language(), actor=request.user)
            except ActionRefused as exc:
                messages.error(request, exc.detail)
            return redirect("surveys:import_report", import_id=poll.pk)
    return render(
        request,
        "surveys/import_mapping.html",
        {"poll": poll, "wave": poll.wave, "form": form, "problems": problems},
        status=400 if problems else 200,
    )


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _worker_hint(poll: PollImport) -> str:
    if poll.job_active and not actions.job_alive(poll):
        return _("The job was interrupted before it ended; nothing was imported. Start it again.")
    if poll.job_status == PollImport.JobStatus.QUEUED and not background.worker_seen_recently():
        return _(
            "No background worker has been seen recently; the file is handled when one "
            "runs (manage.py worker)."
        )
    return ""


def job_label(poll: PollImport) -> str:
    """What the page says of the file's job: the job, its status and its step."""
    if not poll.job:
        return ""
    label = f"{poll.get_job_display()}: {poll.get_job_status_display()}"
    if poll.progress:
        label += f" ({poll.get_progress_display()})"
    return label


@role_required(Role.ORGANIZER)
def report(request: HttpRequest, import_id: int) -> HttpResponse:
    poll = _import(import_id)
    if poll.status == PollImport.Status.UPLOADED and not poll.job:
        return redirect("surveys:import_mapping", import_id=poll.pk)
    if request.method == "POST":
        try:
            actions.do_queue_import(
                poll,
                skip_invalid=request.POST.get("skip_invalid") == "on",
                language=_language(),
                actor=request.user,
            )
        except ActionRefused as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The import has started."))
        return redirect("surveys:import_report", import_id=poll.pk)
    return render(
        request,
        "surveys/import_report.html",
        {
            "poll": poll,
            "wave": poll.wave,
            "report": poll.report,
            "job_label": job_label(poll),
            "job_alive": actions.job_alive(poll),
            "worker_hint": _worker_hint(poll),
        },
    )


@role_required(Role.ORGANIZER)
@require_POST
def cancel(request: HttpRequest, import_id: int) -> HttpResponse:
    poll = _import(import_id)
    try:
        actions.do_cancel_import_job(poll, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The job was cancelled; nothing was imported."))
    return redirect("surveys:import_report", import_id=poll.pk)


@role_required(Role.ORGANIZER)
def status(request: HttpRequest, import_id: int) -> JsonResponse:
    """The file's job, for the report page to follow until it ends."""
    poll = get_object_or_404(PollImport.objects.defer("content"), pk=import_id)
    return JsonResponse(
        {
            "id": poll.pk,
            "status": poll.job_status,
            "status_label": job_label(poll),
            "progress": "",
            "progress_key": poll.progress,
            "error": str(poll.get_error_display()) if poll.error else "",
            "finished": not actions.job_alive(poll),
            "hint": _worker_hint(poll),
        }
    )
