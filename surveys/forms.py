"""Forms of the surveys app; questionnaire answers are checked by surveys.items instead."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panels.labels import DEFAULT_LABELS, StrataLabels
from surveys import consent
from surveys.models import (
    SENSITIVE_CONSENT_REQUIRED,
    FieldworkQuota,
    GridItem,
    Option,
    Question,
    Questionnaire,
    Wave,
)

DEFAULT_GENDERS = ("남성", "여성")
# The wave's consent texts as form fields: each in Korean, then in English.
CONSENT_FORM_FIELDS = [f for name in consent.CONSENT_FIELDS for f in (name, f"{name}_en")]
VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,29}")


class StartForm(forms.Form):
    """Consent and, for a poll, the screener that places the respondent in a quota cell."""

    consent = forms.BooleanField(
        label=_("I have read the above and agree that my answers are collected and used for it."),
        error_messages={"required": _("You can take part only if you agree.")},
    )

    def __init__(
        self,
        *args,
        screener: bool,
        districts: list[tuple[str, str]],
        regions: list[str],
        genders: list[str],
        strata_labels: StrataLabels = DEFAULT_LABELS,
        sensitive: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if sensitive:
            # A consent of its own (PIPA Art. 23), never ticked in advance.
            self.fields["sensitive_consent"] = forms.BooleanField(
                label=_(
                    "I separately agree that my political opinions, as my answers may reveal "
                    "them, are collected and used for this survey."
                ),
                error_messages={"required": SENSITIVE_CONSENT_REQUIRED},
            )
        if not screener:
            return
        self.region_of_district = dict(districts)
        if districts:
            self.fields["district"] = forms.ChoiceField(
                label=_("Where do you live?"),
                choices=[("", _("Choose your district"))] + [(d, d) for d, _r in districts],
            )
        else:
            self.fields["region"] = forms.ChoiceField(
                label=_("Where do you live?"),
                choices=[("", _("Choose your region"))]
                + [(r, strata_labels.category("region", r)) for r in regions],
            )
        self.fields["gender"] = forms.ChoiceField(
            label=_("Gender"),
            choices=[(g, strata_labels.category("gender", g)) for g in genders or DEFAULT_GENDERS],
            widget=forms.RadioSelect,
        )
        this_year = timezone.now().year
        self.fields["birth_year"] = forms.IntegerField(
            label=_("Year of birth"),
            min_value=1900,
            max_value=this_year,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("district"):
            data["region"] = self.region_of_district[data["district"]]
        return data


class VolunteerForm(forms.Form):
    agree = forms.BooleanField(
        label=_(
            "I would like to be considered for the citizen panel and agree that my contact "
            "details are kept, apart from my answers, until the end of the process."
        ),
        error_messages={"required": _("Tick the box to volunteer.")},
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Give a phone number or an e-mail address."))
        return data


class ResumeLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_(
            "We send the link to this address once and do not store it, neither with your "
            "answers nor anywhere else."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "title_en", "intro_ko", "intro_en", "asks_political_opinions"]


class QuestionForm(forms.ModelForm):
    likert_points = forms.TypedChoiceField(
        label=_("Likert points"),
        choices=[(5, "5"), (7, "7")],
        coerce=int,
        required=False,
        help_text=_("Likert and grid questions: the labelled scale is created for you."),
    )

    class Meta:
        model = Question
        fields = [
            "code",
            "kind",
            "text_ko",
            "text_en",
            "help_ko",
            "help_en",
            "required",
            "max_choices",
            "min_value",
            "max_value",
            "low_label_ko",
            "low_label_en",
            "high_label_ko",
            "high_label_en",
            "show_if_question",
            "show_if_values",
        ]
        widgets = {
            "text_ko": forms.Textarea(attrs={"rows": 2}),
            "text_en": forms.Textarea(attrs={"rows": 2}),
            "show_if_values": forms.TextInput(),
        }

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        earlier = questionnaire.questions.filter(
            kind__in=[
                Question.Kind.SINGLE,
                Question.Kind.MULTIPLE,
                Question.Kind.LIKERT,
                Question.Kind.KNOWLEDGE,
                Question.Kind.SCALE_0_10,
            ]
        )
        if self.instance.pk:
            earlier = earlier.filter(order__lt=self.instance.order)
        self.fields["show_if_question"].queryset = earlier
        self.fields["show_if_values"].help_text = _(
            "Codes separated by commas, e.g. 1,2. Leave empty to always show."
        )

    def clean_show_if_values(self) -> list[int]:
        raw = self.cleaned_data.get("show_if_values")
        if isinstance(raw, list):
            parts = [str(v) for v in raw]
        else:
            parts = [p for p in str(raw or "").replace(" ", "").split(",") if p]
        try:
            return [int(p) for p in parts]
        except ValueError as exc:
            raise forms.ValidationError(_("Use whole-number codes separated by commas.")) from exc

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not VARIABLE_NAME.fullmatch(code):
            raise forms.ValidationError(
                _("Start with a letter and use only letters, digits and underscores.")
            )
        clash = self.questionnaire.questions.filter(code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another question already uses this name."))
        return code

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if data.get("show_if_question") and not data.get("show_if_values"):
            self.add_error("show_if_values", _("Give the answer codes that show this question."))
        if kind == Question.Kind.NUMERIC:
            low, high = data.get("min_value"), data.get("max_value")
            if low is not None and high is not None and low > high:
                self.add_error("max_value", _("The maximum must not be below the minimum."))
        if kind == Question.Kind.MULTIPLE and data.get("max_choices") == 0:
            self.add_error("max_choices", _("Allow at least one choice."))
        return data


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["value", "label_ko", "label_en", "is_correct"]


class GridItemForm(forms.ModelForm):
    class Meta:
        model = GridItem
        fields = ["code", "text_ko", "text_en"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not re.fullmatch(r"[A-Za-z0-9]+", code):
            raise forms.ValidationError(_("Use only letters and digits."))
        return code


OptionFormSet = forms.inlineformset_factory(
    Question, Option, form=OptionForm, extra=3, can_delete=True
)
GridItemFormSet = forms.inlineformset_factory(
    Question, GridItem, form=GridItemForm, extra=3, can_delete=True
)


class InvitationForm(forms.Form):
    count = forms.IntegerField(label=_("Number of links"), min_value=1, max_value=100_000)


class FieldworkQuotaForm(forms.ModelForm):
    class Meta:
        model = FieldworkQuota
        fields = ["region", "gender", "age_band", "target"]


class WaveFieldworkForm(forms.ModelForm):
    open_link = forms.BooleanField(label=_("Offer an open link"), required=False)

    class Meta:
        model = Wave
        fields = [
            "is_open",
            "opens_at",
            "closes_at",
            *CONSENT_FORM_FIELDS,
            "open_link_per_address",
            "open_link_per_browser",
            "min_duration_seconds",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("open_link_per_address", "open_link_per_browser"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1
            self.fields[name].validators.append(MinValueValidator(1))
        default = {
            "open_link_per_address": settings.OPEN_LINK_PER_ADDRESS,
            "open_link_per_browser": settings.OPEN_LINK_PER_BROWSER,
        }
        for name, value in default.items():
            self.fields[name].widget.attrs["placeholder"] = str(value)


# Settings of the poll's open link, which a panel wave does not have.
OPEN_LINK_FIELDS = ("open_link_per_address", "open_link_per_browser")


class PanelFieldworkForm(forms.ModelForm):
    """A panel wave's fieldwork settings: the poll's, less the open link's."""

    class Meta:
        model = Wave
        fields = [f for f in WaveFieldworkForm.Meta.fields if f not in OPEN_LINK_FIELDS]
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def clean(self) -> dict:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Data file"),
        help_text=_("CSV, Excel (.xlsx) or SPSS (.sav), one row per respondent."),
    )


class WeightingForm(forms.Form):
    cap = forms.FloatField(
        label=_("Cap weights at (times the mean)"),
        min_value=1.01,
        required=False,
        help_text=_("Leave empty for no cap; 5 is common."),
    )


class WaveForm(forms.ModelForm):
    class Meta:
        model = Wave
        fields = [
            "questionnaire",
            "kind",
            "label",
            "title",
            "opens_at",
            "closes_at",
            *CONSENT_FORM_FIELDS,
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, deliberation, **kwargs) -> None:
        if kwargs.get("instance") is None:
            # A new wave starts from the standard consent texts (surveys.consent).
            kwargs["initial"] = {**consent.initial_texts(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.deliberation = deliberation
        self.fields["questionnaire"].queryset = deliberation.questionnaires.all()

    def clean_label(self) -> str:
        label = self.cleaned_data["label"]
        if self.deliberation.waves.filter(label=label).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another wave already uses this label."))
        return label
