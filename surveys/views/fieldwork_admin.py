"""Organizers run fieldwork: settings, quotas, invitation links, and the live dashboard."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from deliberation.core.access import can_manage, role_required
from deliberation.core.actions import ActionRefused
from deliberation.core.cells import safe_row
from deliberation.core.roles import Role
from surveys import actions
from surveys.completion import wave_completion
from surveys.dashboard import fieldwork_summary
from surveys.forms import FieldworkQuotaForm, InvitationForm, WaveFieldworkForm
from surveys.models import Wave
from surveys.selectors import fieldwork_is_open


def _wave(wave_id: int) -> Wave:
    return get_object_or_404(
        Wave.objects.select_related("deliberation", "questionnaire"), pk=wave_id
    )


@role_required(Role.ORGANIZER)
def fieldwork(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = WaveFieldworkForm(
        request.POST or None, instance=wave, initial={"open_link": bool(wave.open_link_token)}
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in WaveFieldworkForm.Meta.fields}
        actions.do_update_fieldwork(wave, open_link=form.cleaned_data["open_link"], **fields)
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
            actions.do_save_quota(wave, **form.cleaned_data)
        except ActionRefused as refused:
            messages.error(request, _("The quota was not saved: %(why)s") % {"why": refused.detail})
        else:
            messages.success(request, _("Quota saved."))
    else:
        messages.error(request, _("The quota was not saved: give a whole-number target."))
    return redirect("surveys:fieldwork", wave_id=wave.pk)


@role_required(Role.ORGANIZER)
@require_POST
def invitations_create(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Make one-time links and hand them over once, as a CSV for the mailing."""
    wave = _wave(wave_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a number of links from 1 to 100,000."))
        return redirect("surveys:fieldwork", wave_id=wave.pk)
    tokens = actions.do_create_invitations(wave, form.cleaned_data["count"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.label}-links.csv"'
    writer = csv.writer(response)
    writer.writerow(["link"])
    for token in tokens:
        link = request.build_absolute_uri(reverse("surveys:take", args=[token]))
        writer.writerow(safe_row([link]))
    return response


@role_required(Role.ORGANIZER, Role.ANALYST)
def dashboard(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    return render(
        request, "surveys/dashboard.html", {"wave": wave, "summary": fieldwork_summary(wave)}
    )


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
    return redirect("surveys:completion", wave_id=wave.pk)
