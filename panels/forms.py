from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.core.file_limits import FileTooLarge, check_length
from deliberation.core.uploads import limit_message, upload_limits
from panels.labels import DEFAULT_LABELS, StrataLabels, feature_label
from panels.margins import PERCENT_TOLERANCE, feature_percent_totals
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


class RegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    name_en = forms.CharField(
        label=_("English name"),
        max_length=60,
        required=False,
        help_text=_("Shown on English pages; leave empty to show the name."),
    )
    districts = forms.CharField(
        label=_("Districts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line or separated by commas. Respondents who name a district are "
            "placed in its region."
        ),
    )

    def clean_districts(self) -> list[str]:
        text = self.cleaned_data.get("districts", "")
        return [d.strip() for d in text.replace(",", "\n").splitlines() if d.strip()]


class FeatureShares:
    """One feature of the structured margins form: its fields, label and running total."""

    def __init__(self, form: StructuredMarginsForm, index: int, feature: str, values: list[str]):
        self.form, self.index, self.feature, self.values = form, index, feature, values

    @property
    def label(self) -> str:
        return self.form.labels.feature(self.feature)

    @property
    def fields(self) -> list:
        return [self.form[f"share-{self.index}-{j}"] for j in range(len(self.values))]

    @property
    def new_fields(self) -> list:
        if self.feature == "region":
            return []
        return [self.form[f"new-{self.index}-value"], self.form[f"new-{self.index}-share"]]

    @property
    def errors(self) -> list[str]:
        return self.form.feature_errors.get(self.feature, [])


class StructuredMarginsForm(forms.Form):
    """Population shares in percent, feature by feature; each must add up to 100 ± 0.5.

    The categories are the deliberation's (its regions, the margins' categories, else the
    common ones); a feature other than region may gain one new category at a time.
    """

    def __init__(
        self,
        *args,
        categories: dict[str, list[str]],
        initial_shares: dict[tuple[str, str], float],
        labels: StrataLabels,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels
        self.categories = categories
        self.feature_errors: dict[str, list[str]] = {}
        self.features = []
        for i, (feature, values) in enumerate(categories.items()):
            for j, value in enumerate(values):
                share = initial_shares.get((feature, value))
                self.fields[f"share-{i}-{j}"] = forms.DecimalField(
                    label=labels.category(feature, value),
                    required=False,
                    min_value=0,
                    max_value=100,
                    decimal_places=4,
                    initial=None if share is None else round(100 * share, 4),
                    widget=forms.NumberInput(
                        attrs={"step": "any", "inputmode": "decimal", "class": "share-input"}
                    ),
                )
            if feature != "region":
                self.fields[f"new-{i}-value"] = forms.CharField(
                    label=_("New category"), max_length=60, required=False
                )
                self.fields[f"new-{i}-share"] = forms.DecimalField(
                    label=_("Its share (%)"),
                    required=False,
                    min_value=0,
                    max_value=100,
                    decimal_places=4,
                    widget=forms.NumberInput(
                        attrs={"step": "any", "inputmode": "decimal", "class": "share-input"}
                    ),
                )
            self.features.append(FeatureShares(self, i, feature, values))

    def rows(self) -> list[tuple[str, str, float]]:
        """(feature, category, percent) of every share given; blank shares are left out."""
        data = self.cleaned_data
        rows = []
        for shares in self.features:
            i = shares.index
            for j, value in enumerate(shares.values):
                if data.get(f"share-{i}-{j}") is not None:
                    rows.append((shares.feature, value, float(data[f"share-{i}-{j}"])))
            new_value = (data.get(f"new-{i}-value") or "").strip()
            if new_value and data.get(f"new-{i}-share") is not None:
                rows.append((shares.feature, new_value, float(data[f"new-{i}-share"])))
        return rows

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for shares in self.features:
            i = shares.index
            new_value = (cleaned.get(f"new-{i}-value") or "").strip()
            if new_value and new_value in shares.values:
                self.add_error(f"new-{i}-value", _("This category is listed already."))
            elif new_value and cleaned.get(f"new-{i}-share") is None:
                self.add_error(f"new-{i}-share", _("Give the new category's share."))
        if self.errors:
            return cleaned
        rows = self.rows()
        if not rows:
            raise forms.ValidationError(_("Enter the shares of at least one feature."))
        for feature, total in feature_percent_totals(rows).items():
            if abs(total - 100) > PERCENT_TOLERANCE:
                self.feature_errors.setdefault(feature, []).append(
                    _("The shares of %(feature)s add up to %(total)s%%, not 100%% (± %(tol)s).")
                    % {
                        "feature": self.labels.feature(feature),
                        "total": f"{total:.1f}",
                        "tol": PERCENT_TOLERANCE,
                    }
                )
        if self.feature_errors:
            raise forms.ValidationError(
                _("Nothing was saved: each feature's shares must add up to 100%.")
            )
        return cleaned


class PoolImportForm(forms.Form):
    file = forms.FileField(
        label=_("Volunteer file (.csv or .xlsx)"),
        help_text=_(
            "Columns: id, name, email, phone and one column per quota feature. A feature "
            "taken from the poll (prior opinion) may be left out: its volunteers then count "
            "as no answer. A file with any problem is rejected whole."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload


RATE_PREFIX = "rate-"


class PlanForm(forms.ModelForm):
    """The panel plan; with finishers, one attendance rate per category of a chosen feature.

    ``categories`` are the selection features' categories (feature -> values), from which
    the feature whose attendance differs is chosen.
    """

    class Meta:
        model = PanelPlan
        fields = [
            "panel_size",
            "tolerance",
            "lottery_size",
            "finishers",
            "attendance_rate",
            "attendance_feature",
        ]

    def __init__(self, *args, categories: dict[str, list[str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories or {}
        self.fields["panel_size"].required = False
        self.fields["panel_size"].help_text = _(
            "Computed from the finishers and the attendance rates when those are given."
        )
        self.fields["attendance_feature"] = forms.ChoiceField(
            label=_("Attendance differs by"),
            required=False,
            choices=[("", _("— the same rate for everyone —"))]
            + [(f, feature_label(f)) for f in self.categories],
        )
        feature = self.instance.attendance_feature
        rates = self.instance.attendance_rates or {}
        self.rate_fields = []
        for index, value in enumerate(self.categories.get(feature, [])):
            name = f"{RATE_PREFIX}{index}"
            self.fields[name] = forms.DecimalField(
                label=_("Attendance rate: %(category)s")
                % {"category": DEFAULT_LABELS.category(feature, value)},
                required=False,
                min_value=Decimal("0.001"),
                max_value=Decimal(1),
                decimal_places=3,
                initial=rates.get(value),
                help_text=_("Empty: the overall rate."),
            )
            self.rate_fields.append((name, value))

    def clean_tolerance(self) -> Decimal:
        tolerance = self.cleaned_data["tolerance"]
        if not Decimal(0) <= tolerance < Decimal(1):
            raise forms.ValidationError(_("Use a fraction between 0 and 1, e.g. 0.05."))
        return tolerance

    def clean_attendance_rate(self) -> Decimal:
        rate = self.cleaned_data["attendance_rate"]
        if not Decimal(0) < rate <= Decimal(1):
            raise forms.ValidationError(_("Use a rate above 0 and at most 1, e.g. 0.85."))
        return rate

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("finishers") and not cleaned.get("panel_size"):
            self.add_error("panel_size", _("Give the panel size, or how many must finish."))
        if cleaned.get("panel_size") is None:
            cleaned["panel_size"] = self.instance.panel_size
        feature = cleaned.get("attendance_feature", "")
        if feature == self.instance.attendance_feature:
            cleaned["attendance_rates"] = {
                value: float(cleaned[name])
                for name, value in self.rate_fields
                if cleaned.get(name) is not None
            }
        else:
            cleaned["attendance_rates"] = {}
        for name, _value in self.rate_fields:
            cleaned.pop(name, None)
        return cleaned


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
    reserves = forms.IntegerField(
        label=_("Reserves"),
        min_value=0,
        max_value=100000,
        required=False,
        help_text=_(
            "How many reserves to draw, in order, with the same number; they replace "
            "drop-outs keeping every quota."
        ),
    )

    def clean_reserves(self) -> int:
        return self.cleaned_data["reserves"] or 0

    def clean_public_number(self) -> str:
        number = self.cleaned_data["public_number"].strip()
        if not number.isdigit():
            raise forms.ValidationError(_("Enter digits only."))
        return number


class PanelistStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Panelist.Status.choices)


class SeatAnswerForm(forms.Form):
    """A seat's answer as staff record it after a telephone call, or the panelist gives it."""

    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[("confirm", _("Confirmed")), ("decline", _("Declined"))],
    )
    # Longer text is refused by the action (do_record_seat_answer), which states the limit.
    reason = forms.CharField(label=_("Reason for declining"), required=False, strip=True)


class ConfirmationDeadlineForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Confirmation deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
