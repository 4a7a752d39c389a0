"""What the panels app reads about poll respondents who volunteered for the citizen panel.

The pool carries only what selection needs (region, district, gender, age band); contact
details are handed out one volunteer at a time, and only to holders of the
surveys.view_volunteer_contacts permission.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from deliberation.models import Deliberation
from surveys.models import ContactDetails, VolunteerOptIn

CONTACT_PERMISSION = "surveys.view_volunteer_contacts"


def volunteer_pool(deliberation: Deliberation) -> QuerySet[VolunteerOptIn]:
    """Volunteers who have not withdrawn, with their strata and pseudonymous respondent id."""
    return (
        VolunteerOptIn.objects.filter(deliberation=deliberation, withdrawn_at__isnull=True)
        .select_related("response")
        .only(
            "pk",
            "deliberation_id",
            "region",
            "district",
            "gender",
            "age_band",
            "consented_at",
            "response__respondent_id",
        )
        .order_by("pk")
    )


def contact_for(opt_in: VolunteerOptIn, user) -> ContactDetails | None:
    """A volunteer's contact details for someone allowed to invite them; None once erased."""
    if not user.has_perm(CONTACT_PERMISSION):
        raise PermissionDenied
    contact = ContactDetails.objects.filter(opt_in=opt_in, erased_at__isnull=True).first()
    return contact
