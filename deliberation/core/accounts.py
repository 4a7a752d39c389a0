"""Accounts: who may sign up, and the sign-in-by-code form (django-allauth)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import RequestLoginCodeForm as BaseRequestLoginCodeForm
from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by organizers (panel invitations); open sign-up is opt-in."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP


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
