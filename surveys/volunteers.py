"""Poll respondents who volunteered for the citizen panel, as the pool receives them.

The pool carries only what selection needs (the strata); contact details are handed out
only to holders of the surveys.view_volunteer_contacts permission.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from deliberation.core.access import can_see_contacts
from deliberation.core.models import Deliberation
from panels.models import Volunteer
from surveys.models import ContactDetails, VolunteerOptIn


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


def contact_for(opt_in: VolunteerOptIn, user: Any) -> ContactDetails | None:
    """A volunteer's contact details for someone allowed to invite them; None once erased."""
    if not can_see_contacts(user, opt_in.deliberation_id):
        raise PermissionDenied
    contact = ContactDetails.objects.filter(opt_in=opt_in, erased_at__isnull=True).first()
    return contact


POLL_ID_PREFIX = "poll-"


def poll_volunteer_table(
    deliberation: Deliberation,
    allowed: Mapping[str, Set[str]],
    actor: Any,
    answers: Mapping[str, Mapping[str, str]] | None = None,
) -> list[list[str]]:
    """One row per opt-in not yet in the pool, in the pool file's column layout.

    ``answers`` gives features read from the poll's answers (prior opinion), feature ->
    external id -> value; the strata come from the opt-in itself.
    """
    answers = answers or {}
    features = sorted(allowed)
    present = set(
        Volunteer.objects.filter(
            deliberation=deliberation, external_id__startswith=POLL_ID_PREFIX
        ).values_list("external_id", flat=True)
    )
    table = [["id", "name", "email", "phone", *features]]
    new = [
        opt_in
        for opt_in in volunteer_pool(deliberation)
        if f"{POLL_ID_PREFIX}{opt_in.response.respondent_id}" not in present
    ]
    if new and not can_see_contacts(actor, deliberation.pk):
        raise PermissionDenied
    # One query for every new volunteer's contact, not one per row.
    contacts = {
        contact.opt_in_id: contact
        for contact in ContactDetails.objects.filter(opt_in__in=new, erased_at__isnull=True)
    }
    for opt_in in new:
        external_id = f"{POLL_ID_PREFIX}{opt_in.response.respondent_id}"
        contact = contacts.get(opt_in.pk)
        table.append(
            [
                external_id,
                contact.name if contact else "",
                contact.email if contact else "",
                contact.phone if contact else "",
                *(
                    answers[feature].get(external_id, "")
                    if feature in answers
                    else str(getattr(opt_in, feature, "") or "")
                    for feature in features
                ),
            ]
        )
    return table
