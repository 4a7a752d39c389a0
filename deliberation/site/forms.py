from __future__ import annotations

import csv
import io

from django import forms
from django.core.validators import RegexValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from deliberation.core.actions.teams import TeamInvitation
from deliberation.core.models import Deliberation, Stage
from deliberation.core.roles import TEAM_ROLES, Role
from deliberation.core.slugs import RESERVED

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEAM_ROLE_CHOICES = [(role, Role(role).label) for role in TEAM_ROLES]
# A team CSV for 30 facilitators is a few kilobytes; a larger file is not a team.
TEAM_CSV_MAX_BYTES = 256 * 1024
TEAM_CSV_MAX_ROWS = 500


def _check_dates(form: forms.Form, cleaned: dict) -> dict:
    starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        form.add_error("ends_on", _("The end date is before the start date."))
    return cleaned


class DeliberationForm(forms.ModelForm):
    """A deliberation's titles, agenda and dates; its address only when it is created."""

    slug = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=60,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                _("Use small letters a–z, digits and single hyphens."),
            )
        ],
        help_text=_(
            "The part of the pages' addresses, e.g. busan-bus-2027. Leave blank to make "
            "one from the title."
        ),
    )

    class Meta:
        model = Deliberation
        fields = ["title", "title_en", "agenda", "city", "description", "starts_on", "ends_on"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]
        else:
            self.order_fields(["title", "title_en", "slug"])

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "").strip().lower()
        if slug and (slug in RESERVED or Deliberation.objects.filter(slug=slug).exists()):
            raise forms.ValidationError(_("Another deliberation has this address."))
        return slug

    def clean(self) -> dict:
        return _check_dates(self, super().clean())


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["starts_on", "ends_on", "status_by_hand", "status", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def clean(self) -> dict:
        return _check_dates(self, super().clean())


class StageAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Stage"))
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)

    def __init__(self, *args, deliberation: Deliberation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        present = set(deliberation.stages.values_list("kind", flat=True))
        self.fields["kind"].choices = [c for c in Stage.Kind.choices if c[0] not in present]

    def clean(self) -> dict:
        return _check_dates(self, super().clean())


class TeamInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=TEAM_ROLE_CHOICES)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=150,
        help_text=_("Shown to the team and, for facilitators and experts, in the rooms."),
    )
    department = forms.CharField(
        label=_("Department"),
        required=False,
        max_length=120,
        help_text=_(
            "For a department officer: the city department they answer for, written as the "
            "answers to the recommendations name it."
        ),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("role") == Role.DEPARTMENT and not cleaned.get("department", "").strip():
            self.add_error("department", _("Name the department this officer answers for."))
        return cleaned

    def invitations(self) -> list[TeamInvitation]:
        data = self.cleaned_data
        return [TeamInvitation(data["email"], data["role"], data["name"], data["department"])]


def _role_key(value: str) -> str:
    """A role given by its key or its label in Korean or English ("facilitator", "퍼실리테이터")."""
    wanted = value.strip().casefold()
    for role in TEAM_ROLES:
        labels = {role}
        for language in ("ko", "en"):
            with translation.override(language):
                labels.add(str(Role(role).label).casefold())
        if wanted in labels:
            return role
    return value.strip()


class TeamCSVForm(forms.Form):
    """A CSV with the columns email, role and (optionally) name, one person per line."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, role (organizer, analyst, facilitator, expert or department), "
            "name, department (for a department officer). UTF-8, one person per line."
        ),
    )

    def clean_file(self) -> list[TeamInvitation]:
        upload = self.cleaned_data["file"]
        if upload.size > TEAM_CSV_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 256 KB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise forms.ValidationError(_("The file is not a readable CSV.")) from exc
        if not rows or "email" not in (rows[0].keys() if rows else ()):
            raise forms.ValidationError(
                _("The first line must name the columns: email, role, name.")
            )
        if len(rows) > TEAM_CSV_MAX_ROWS:
            raise forms.ValidationError(
                _("At most %(n)d people per file.") % {"n": TEAM_CSV_MAX_ROWS}
            )
        return [
            TeamInvitation(
                (row.get("email") or "").strip(),
                _role_key(row.get("role") or ""),
                (row.get("name") or "").strip(),
                (row.get("department") or "").strip(),
            )
            for row in rows
        ]
