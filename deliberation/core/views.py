"""The account pages of the core: the first-sign-in question of a panelist's name, and the
account page where it can be changed later."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from deliberation.core import names
from deliberation.core.access import login_required_any_role, role_required
from deliberation.core.actions import ActionRefused, do_set_display_name
from deliberation.core.forms import DisplayNameForm
from deliberation.core.roles import Role


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _save_name(request: HttpRequest, form: DisplayNameForm, value: str) -> bool:
    """Save through the action; a refusal becomes the field's error and nothing changes."""
    try:
        do_set_display_name(request.user, value)
    except ActionRefused as exc:
        form.add_error("display_name" if exc.code != "staff" else None, exc.detail)
        return False
    return True


def _seat_default(request: HttpRequest) -> str:
    profile = names.profile_of(request.user)
    if profile is not None and profile.seat_number:
        return names.default_name(profile.seat_number)
    return names.display_name(request.user)


@role_required(Role.PANELIST)
def welcome(request: HttpRequest) -> HttpResponse:
    """Asked once, after a panelist's first sign-in; keeping the default is one press."""
    if not names.chooses_own_name(request.user):
        return redirect("profile:account")
    next_url = _next_url(request)
    form = DisplayNameForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        keep = request.POST.get("choice") == "keep"
        if keep or form.is_valid():
            value = "" if keep else form.cleaned_data["display_name"]
            if _save_name(request, form, value):
                messages.success(
                    request,
                    _("Others will see you as %(name)s.")
                    % {"name": names.display_name(request.user)},
                )
                return redirect(next_url or "deliberation:home")
        status = 400
    context = {"form": form, "default_name": _seat_default(request), "next": next_url}
    return render(request, "profile/welcome.html", context, status=status)


@login_required_any_role
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's account: the name others see, changeable by panelists."""
    chooses = names.chooses_own_name(request.user)
    profile = names.profile_of(request.user)
    form = DisplayNameForm(
        request.POST or None,
        user=request.user,
        initial={"display_name": profile.display_name if profile else ""},
    )
    status = 200
    if request.method == "POST":
        reset = request.POST.get("choice") == "default"
        if chooses and (reset or form.is_valid()):
            value = "" if reset else form.cleaned_data["display_name"]
            if _save_name(request, form, value):
                messages.success(
                    request,
                    _("Others will see you as %(name)s.")
                    % {"name": names.display_name(request.user)},
                )
                return redirect("profile:account")
        status = 400
    context = {
        "form": form,
        "chooses": chooses,
        "name": names.display_name(request.user),
        "default_name": _seat_default(request),
        "has_chosen": bool(profile and profile.display_name),
    }
    return render(request, "profile/account.html", context, status=status)
