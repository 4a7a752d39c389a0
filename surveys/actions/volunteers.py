"""Poll respondents who volunteer for the panel, and their way into the pool.

Opt-ins go into the pool through the same checks as an imported file (known feature
values, duplicates by id, e-mail or phone), so a person who volunteered twice, or who is
also in an imported list, is reported rather than entered twice (poll → volunteers → panel).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Set
from typing import Any

from django.db import transaction
from django.utils import timezone

from deliberation.core.models import Deliberation
from panels import actions as pool_actions
from panels import selectors as panel_selectors
from panels.models import Volunteer
from panels.pool_file import PoolCheck, check_pool_rows
from surveys import opinion
from surveys.models import ContactDetails, OpinionStratum, Response, VolunteerOptIn
from surveys.volunteers import poll_volunteer_table


def do_volunteer(response: Response, *, name: str, phone: str, email: str) -> VolunteerOptIn:
    """Record a respondent's separate consent to be considered for the panel."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        opt_in, created = VolunteerOptIn.objects.get_or_create(
            response=locked,
            defaults={
                "deliberation_id": locked.wave.deliberation_id,
                "region": locked.region,
                "district": locked.district,
                "gender": locked.gender,
                "age_band": locked.age_band,
                "consented_at": timezone.now(),
            },
        )
        ContactDetails.objects.update_or_create(
            opt_in=opt_in, defaults={"name": name, "phone": phone, "email": email}
        )
    return opt_in


def do_add_poll_volunteers(
    deliberation: Deliberation,
    allowed: Mapping[str, Set[str]],
    *,
    actor: Any,
    rng: random.Random | None = None,
) -> PoolCheck:
    """Add every new opt-in to the pool, or none if any row has a problem; returns the check.

    ``allowed`` are the values each feature may take (panels.selectors.allowed_values).
    Reading the opt-ins' contacts needs the contact permission (PermissionDenied otherwise).
    ``rng`` makes the volunteers' record ids reproducible (the synthetic demo).
    """
    stratum = OpinionStratum.objects.filter(deliberation=deliberation).first()
    answers = {}
    if stratum is not None and opinion.FEATURE in allowed:
        answers[opinion.FEATURE] = opinion.volunteer_opinions(stratum.wave, stratum.question)
    table = poll_volunteer_table(deliberation, allowed, actor, answers)
    if len(table) == 1:
        return PoolCheck()
    ids, emails, phones = panel_selectors.contact_keys(deliberation)
    check = check_pool_rows(
        table, allowed, existing_ids=ids, existing_emails=emails, existing_phones=phones
    )
    if check.ok:
        pool_actions.do_add_volunteers(
            deliberation, check.rows, source=Volunteer.Source.POLL, actor=actor, rng=rng
        )
    return check
