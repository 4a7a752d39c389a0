"""Scheduling a session and choosing its people from the deliberation's team."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from deliberation.core.models import Deliberation, Membership
from deliberation.core.roles import Role
from deliberation.forum.models import Session

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def team_members(deliberation: Deliberation, *roles: str) -> QuerySet:
    """The team's people holding one of the roles, by name, for a picker."""
    return (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.filter(deliberation=deliberation, role__in=roles).values(
                "user_id"
            ),
            groups__name__in=roles,
        )
        .distinct()
        .order_by("first_name", "email")
    )


class TeamMemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email or user.get_username()


class TeamMembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return TeamMemberChoice.label_from_instance(self, user)  # type: ignore[arg-type]


class SessionForm(forms.ModelForm):
    group_count = forms.IntegerField(
        label=_("Number of groups"),
        min_value=0,
        max_value=60,
        required=False,
        initial=0,
        help_text=_("0 for a plenary without small groups. Groups can be added later too."),
    )

    class Meta:
        model = Session
        fields = ["kind", "title", "starts_at", "ends_at", "region", "moderator", "experts"]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "experts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, deliberation: Deliberation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moderator"] = TeamMemberChoice(
            queryset=team_members(deliberation, Role.FACILITATOR, Role.ORGANIZER),
            required=False,
            label=_("Moderator"),
            help_text=_("Runs the plenary room. Only facilitators and organizers of the team."),
        )
        self.fields["experts"] = TeamMembersChoice(
            queryset=team_members(deliberation, Role.EXPERT),
            required=False,
            label=_("Experts"),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Experts of the team who answer the panel's questions."),
        )
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk and self.instance.groups.exists():
            del self.fields["group_count"]

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The session ends before it starts."))
        return cleaned


class FacilitatorForm(forms.Form):
    group_id = forms.IntegerField(widget=forms.HiddenInput)
    facilitator = TeamMemberChoice(queryset=None, required=False, label=_("Facilitator"))

    def __init__(self, *args, deliberation: Deliberation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = team_members(deliberation, Role.FACILITATOR)


class ParticipationFeeForm(forms.Form):
    """The fee per session kind, in won; empty for no fee."""

    def __init__(self, *args, **kwargs) -> None:
        from deliberation.forum.actions.fees import MAX_FEE

        super().__init__(*args, **kwargs)
        for kind, label in Session.Kind.choices:
            self.fields[kind] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=MAX_FEE
            )
