"""The analysts' narrative for each section of the report."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.report.models import ReportNarrative

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
