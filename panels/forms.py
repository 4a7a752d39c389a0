from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.core.file_limits import FileTooLarge, check_length
from deliberation.core.uploads import limit_message, upload_limits
from panels.models import Panelist, PanelPlan


def check_upload_size(upload) -> None:
    """Refuse a file beyond the upload limit with the translated reason."""
    try:
        check_length(upload.size, upload_limits())
    except FileTooLarge as exc:
        raise forms.ValidationError(limit_message(exc)) from None


class MarginsForm(forms.Form):
    text = forms.CharField(
        label=_("Margins (CSV: feature,value,share[,population])"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        required=False,
    )
    file = forms.FileField(
        label=_("Or upload a CSV file"),
        required=False,
        help_text=_("Shares of each feature must add up to 1."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            check_upload_size(upload)
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Paste the margins or upload a file."))
        return cleaned


class PoolImportForm(forms.Form):
    file = forms.FileField(
        label=_("Volunteer file (.csv or .xlsx)"),
        help_text=_(
            "Columns: id, name, email, phone and one column per quota feature. "
            "A file with any problem is rejected whole."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload


class PlanForm(forms.ModelForm):
    class Meta:
        model = PanelPlan
        fields = ["panel_size", "tolerance", "lottery_size"]

    def clean_tolerance(self) -> Decimal:
        tolerance = self.cleaned_data["tolerance"]
        if not Decimal(0) <= tolerance < Decimal(1):
            raise forms.ValidationError(_("Use a fraction between 0 and 1, e.g. 0.05."))
        return tolerance


class QuotaForm(forms.Form):
    feature = forms.CharField(max_length=60, widget=forms.HiddenInput)
    value = forms.CharField(max_length=60, widget=forms.HiddenInput)
    min = forms.IntegerField(label=_("Minimum"), min_value=0)
    max = forms.IntegerField(label=_("Maximum"), min_value=0)

    def clean(self) -> dict:
        cleaned = super().clean()
        lo, hi = cleaned.get("min"), cleaned.get("max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max", _("The maximum is below the minimum."))
        return cleaned


QuotaFormSet = forms.formset_factory(QuotaForm, extra=0)


class NewQuotaForm(forms.Form):
    feature = forms.CharField(label=_("Feature"), max_length=60)
    value = forms.CharField(label=_("Value"), max_length=60)
    min = forms.IntegerField(label=_("Minimum"), min_value=0)
    max = forms.IntegerField(label=_("Maximum"), min_value=0)

    def clean(self) -> dict:
        cleaned = super().clean()
        lo, hi = cleaned.get("min"), cleaned.get("max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max", _("The maximum is below the minimum."))
        return cleaned


class DrawForm(forms.Form):
    public_number = forms.CharField(
        label=_("Public random number"),
        max_length=80,
        help_text=_("The number read out in public, e.g. from a lottery drawing or dice."),
    )

    def clean_public_number(self) -> str:
        number = self.cleaned_data["public_number"].strip()
        if not number.isdigit():
            raise forms.ValidationError(_("Enter digits only."))
        return number


class PanelistStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Panelist.Status.choices)
