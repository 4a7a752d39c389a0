from allauth.account.forms import RequestLoginCodeForm as BaseRequestLoginCodeForm
from allauth.core import context
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


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
