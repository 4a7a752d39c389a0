"""Forms of the core: the name a panelist is shown by."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.core import names


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        required=False,
        max_length=names.MAX_LENGTH,
        help_text=_(
            "1 to 30 characters. No e-mail address, web address or phone number: everyone "
            "in your rooms sees this name."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self) -> str:
        return names.clean_display_name(self.cleaned_data["display_name"], self.user)
