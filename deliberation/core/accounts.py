"""Accounts: who may sign up, where a first sign-in leads, and the sign-in-by-code form
(django-allauth)."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import RequestLoginCodeForm as BaseRequestLoginCodeForm
from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from deliberation.core.names import chooses_own_name, profile_of


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by organizers (panel invitations); open sign-up is opt-in."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """A panelist's first sign-in asks for the name others will see, then goes on to
        where they were going."""
        response = super().post_login(request, user, **kwargs)
        if isinstance(response, HttpResponseRedirect) and needs_name(user):
            target = response.url
            url = reverse("profile:welcome")
            if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                url += "?" + urlencode({"next": target})
            return HttpResponseRedirect(url)
        return response


def needs_name(user: Any) -> bool:
    """A panelist who has not yet chosen a display name or kept the default."""
    if not chooses_own_name(user):
        return False
    profile = profile_of(user)
    return profile is None or profile.name_confirmed_at is None


class RequestLoginCodeForm(BaseRequestLoginCodeForm):
    """Prefill the address from an invitation link (?email=…) so panelists only press send."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = context.request
        email = request.GET.get("email", "").strip() if request is not None else ""
        if not self.is_bound and email:
            try:
                validate_email(email)
            except ValidationError:
                return
            self.initial["email"] = email
