"""The analysts' narrative, the publication settings and the answers to recommendations."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.report.models import Licence, ReportNarrative, TrackingStatus

MAX_NARRATIVE_LENGTH = 20_000


class ReportNarrativeForm(forms.Form):
    """One text area per report section, filled with the saved text."""

    def __init__(self, *args, initial_texts: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        initial_texts = initial_texts or {}
        for section, label in ReportNarrative.Section.choices:
            self.fields[section] = forms.CharField(
                label=label,
                required=False,
                max_length=MAX_NARRATIVE_LENGTH,
                initial=initial_texts.get(section, ""),
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("Plain text; blank lines separate paragraphs.")
                if section == ReportNarrative.Section.SUMMARY
                else "",
            )

    def texts(self) -> dict[str, str]:
        return {
            section: self.cleaned_data[section].strip()
            for section in ReportNarrative.Section.values
        }


class PublicationForm(forms.Form):
    """Whether the public page is published, which parts it shows, the data's licence."""

    published = forms.BooleanField(label=_("Publish the public page"), required=False)
    show_materials = forms.BooleanField(label=_("The materials panelists read"), required=False)
    show_panel = forms.BooleanField(label=_("How the panel was drawn"), required=False)
    show_sessions = forms.BooleanField(label=_("The sessions held"), required=False)
    show_results = forms.BooleanField(
        label=_("The results, with their margins of error"), required=False
    )
    show_recommendations = forms.BooleanField(
        label=_("The recommendations and what became of them"), required=False
    )
    show_report_pdf = forms.BooleanField(label=_("The report (PDF)"), required=False)
    licence = forms.ChoiceField(label=_("Open data licence"), choices=Licence.choices)
    publish_microdata = forms.BooleanField(
        label=_("Also publish the panel waves' answers by pseudonym (one row per answer)"),
        required=False,
        help_text=_(
            "Only with the results. Pseudonyms are renumbered for the file; still, publish "
            "them only when the panel was told its answers would be published."
        ),
    )


# The id of the page's list of known departments, which the department field offers.
DEPARTMENT_LIST_ID = "tracking-departments"


class RecommendationStatusForm(forms.Form):
    """The city's answer to one recommendation. An organizer names the department, which
    assigns the recommendation to it; a department officer's form has no department field,
    their answer being always their own department's."""

    recommendation = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "---------"), *TrackingStatus.choices]
    )
    responded_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.CharField(
        label=_("Department"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": DEPARTMENT_LIST_ID, "autocomplete": "off"}),
    )
    response = forms.CharField(
        label=_("Response"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, officer: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if officer:
            del self.fields["department"]
