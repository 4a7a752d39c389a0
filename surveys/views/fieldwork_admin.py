"""Organizers run fieldwork: settings, quotas, invitation links, and the live dashboard."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from deliberation.core.access import can_manage, role_required
from deliberation.core.actions import ActionRefused
from deliberation.core.cells import safe_row
from deliberation.core.roles import Role
from surveys import actions, quality
from surveys.compiled import compiled
from surveys.completion import wave_completion
from surveys.dashboard import fieldwork_summary, flagged_responses
from surveys.forms import (
    FieldworkQuotaForm,
    InvitationForm,
    PanelFieldworkForm,
    WaveFieldworkForm,
)
from surveys.models import FieldworkQuota, Wave
from surveys.selectors import fieldwork_is_open, quota_is_reached


def _wave(wave_id: int) -> Wave:
    return get_object_or_404(
        Wave.objects.select_related("deliberation", "questionnaire"), pk=wave_id
    )


@role_required(Role.ORGANIZER)
def fieldwork(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    if wave.is_panel_wave:
        return _panel_fieldwork(request, wave)
    form = WaveFieldworkForm(
        request.POST or None, instance=wave, initial={"open_link": bool(wave.open_link_token)}
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in WaveFieldworkForm.Meta.fields}
        actions.do_update_fieldwork(
            wave, open_link=form.cleaned_data["open_link"], actor=request.user, **fields
        )
        messages.success(request, _("Fieldwork settings saved."))
        return redirect("surveys:fieldwork", wave_id=wave.pk)
    open_url = (
        request.build_absolute_uri(reverse("surveys:open_link", args=[wave.open_link_token]))
        if wave.open_link_token
        else ""
    )
    return render(
        request,
        "surveys/fieldwork.html",
        {
            "wave": wave,
            "form": form,
            "quota_form": FieldworkQuotaForm(),
            "invitation_form": InvitationForm(),
            "quotas": wave.quotas.all(),
            "open_url": open_url,
            "answered": wave.responses.exists(),
        },
        status=400 if form.is_bound else 200,
    )


def _panel_fieldwork(request: HttpRequest, wave: Wave) -> HttpResponse:
    """A panel wave is answered by the seated panel: its dates, reminders and completion.

    The open link, quotas and invitation links of a poll do not apply to it.
    """
    form = PanelFieldworkForm(request.POST or None, instance=wave)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PanelFieldworkForm.Meta.fields}
        actions.do_update_fieldwork(wave, open_link=False, **fields)
        messages.success(request, _("Fieldwork settings saved."))
        return redirect("surveys:fieldwork", wave_id=wave.pk)
    return render(
        request,
        "surveys/panel_fieldwork.html",
        {
            "wave": wave,
            "form": form,
            "completion": wave_completion(wave),
            "can_remind": fieldwork_is_open(wave),
            "interval": settings.WAVE_REMINDER_INTERVAL_HOURS,
            "batches": wave.reminder_batches.select_related("created_by").order_by("-created_at"),
            "answered": wave.responses.exists(),
            "back_to_fieldwork": True,
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.ORGANIZER)
@require_POST
def quota_add(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = FieldworkQuotaForm(request.POST)
    if form.is_valid():
        try:
            actions.do_save_quota(wave, actor=request.user, **form.cleaned_data)
        except ActionRefused as refused:
            messages.error(request, _("The quota was not saved: %(why)s") % {"why": refused.detail})
        else:
            messages.success(request, _("Quota saved."))
    else:
        messages.error(request, _("The quota was not saved: give a whole-number target."))
    return redirect("surveys:fieldwork", wave_id=wave.pk)


def _quota(quota_id: int) -> FieldworkQuota:
    return get_object_or_404(
        FieldworkQuota.objects.select_related("wave__deliberation", "wave__questionnaire"),
        pk=quota_id,
    )


@role_required(Role.ORGANIZER)
def quota_edit(request: HttpRequest, quota_id: int) -> HttpResponse:
    """Change a quota cell nobody has reached yet; the categories are checked again."""
    quota = _quota(quota_id)
    form = FieldworkQuotaForm(request.POST or None, instance=quota)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_quota(quota, **form.cleaned_data, actor=request.user)
        except ActionRefused as refused:
            form.add_error(None, refused.detail)
        else:
            messages.success(request, _("Quota saved."))
            return redirect("surveys:fieldwork", wave_id=quota.wave_id)
    return render(
        request,
        "surveys/quota_form.html",
        {
            "wave": quota.wave,
            "quota": quota,
            "form": form,
            "reached": actions.quota_reached_refusal().detail if quota_is_reached(quota) else "",
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.ORGANIZER)
def quota_delete(request: HttpRequest, quota_id: int) -> HttpResponse:
    """Ask before deleting a quota cell (GET), delete it on the confirming POST."""
    quota = _quota(quota_id)
    if request.method == "POST":
        try:
            actions.do_delete_quota(quota, actor=request.user)
        except ActionRefused as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(request, _("Quota deleted."))
        return redirect("surveys:fieldwork", wave_id=quota.wave_id)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "deliberation": quota.wave.deliberation,
            "heading": _("Delete this quota cell?"),
            "quota": quota,
            "blocked": actions.quota_reached_refusal().detail if quota_is_reached(quota) else "",
            "explanation": _("Respondents of this cell will no longer be stopped when it is full."),
            "cancel_url": reverse("surveys:fieldwork", args=[quota.wave_id]),
        },
    )


@role_required(Role.ORGANIZER)
@require_POST
def invitations_create(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Make one-time links and hand them over once, as a CSV for the mailing."""
    wave = _wave(wave_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a number of links from 1 to 100,000."))
        return redirect("surveys:fieldwork", wave_id=wave.pk)
    tokens = actions.do_create_invitations(wave, form.cleaned_data["count"], actor=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.label}-links.csv"'
    writer = csv.writer(response)
    writer.writerow(["link"])
    for token in tokens:
        link = request.build_absolute_uri(reverse("surveys:take", args=[token]))
        writer.writerow(safe_row([link]))
    return response


FLAG_LABELS = {
    quality.ADDRESS: gettext_lazy("Many completes from one address"),
    quality.SPEEDER: gettext_lazy("Speeder: faster than the minimum interview time"),
    quality.STRAIGHTLINING: gettext_lazy("Straight-lining: one answer on every item of a grid"),
}


@role_required(Role.ORGANIZER, Role.ANALYST)
def dashboard(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    summary = fieldwork_summary(wave)
    flagged = flagged_responses(wave)
    for row in flagged:
        row["flag_labels"] = [FLAG_LABELS[flag] for flag in row["flags"] if flag in FLAG_LABELS]
    return render(
        request,
        "surveys/dashboard.html",
        {
            "wave": wave,
            "summary": summary,
            "flag_counts": [
                (flag, FLAG_LABELS[flag], summary["flags"][flag]) for flag in quality.FLAGS
            ],
            "flagged": flagged,
            "can_exclude": can_manage(request.user, wave.deliberation_id),
            "min_duration": wave.min_duration_seconds,
        },
    )


@role_required(Role.ORGANIZER)
@require_POST
def exclude_responses(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Exclude the ticked responses, or every counted one with a flag, with the reason."""
    wave = _wave(wave_id)
    ids = [int(v) for v in request.POST.getlist("response") if v.isdigit()]
    try:
        count = actions.do_exclude_responses(
            wave,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            response_ids=ids,
            flag=request.POST.get("flag", ""),
        )
    except actions.ExclusionRefused as exc:
        messages.error(request, _("Nothing was excluded: %(reason)s") % {"reason": exc})
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d response excluded from weighting and results.",
                "%(count)d responses excluded from weighting and results.",
                count,
            )
            % {"count": count},
        )
    return redirect("surveys:dashboard", wave_id=wave.pk)


@role_required(Role.ORGANIZER)
@require_POST
def refresh_quality(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Recompute the wave's flags, e.g. once the median interview time has settled."""
    wave = _wave(wave_id)
    flagged = actions.do_refresh_quality_flags(
        wave, compiled(wave.questionnaire).specs, actor=request.user
    )
    messages.success(
        request,
        ngettext(
            "Quality flags recomputed: %(count)d response flagged.",
            "Quality flags recomputed: %(count)d responses flagged.",
            flagged,
        )
        % {"count": flagged},
    )
    return redirect("surveys:dashboard", wave_id=wave.pk)


@role_required(Role.ORGANIZER, Role.ANALYST)
def dashboard_data(request: HttpRequest, wave_id: int) -> JsonResponse:
    return JsonResponse(fieldwork_summary(_wave(wave_id)))


@role_required(Role.ORGANIZER, Role.ANALYST)
def completion(request: HttpRequest, wave_id: int) -> HttpResponse:
    """A panel wave's completion: invited panelists against completes, by stratum."""
    wave = _wave(wave_id)
    return render(
        request,
        "surveys/completion.html",
        {
            "wave": wave,
            "completion": wave_completion(wave) if wave.is_panel_wave else None,
            "can_remind": can_manage(request.user, wave.deliberation_id)
            and wave.is_panel_wave
            and fieldwork_is_open(wave),
            "interval": settings.WAVE_REMINDER_INTERVAL_HOURS,
        },
    )


@role_required(Role.ORGANIZER)
@require_POST
def send_reminders(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    link = request.build_absolute_uri(reverse("surveys:panel_take", args=[wave.pk]))
    try:
        sent = actions.do_send_wave_reminders(wave, link=link, actor=request.user)
    except actions.ReminderRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent)
            % {"count": sent},
        )
    back = "surveys:fieldwork" if request.POST.get("back") == "fieldwork" else "surveys:completion"
    return redirect(back, wave_id=wave.pk)
