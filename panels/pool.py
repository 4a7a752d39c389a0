"""Poll respondents who volunteered join the pool (poll → volunteers → panel).

Opt-ins go through the same checks as an imported file (known feature values,
duplicates by id, e-mail or phone), so a person who volunteered twice, or who is also in
an imported list, is reported rather than entered twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from panels import actions
from panels.models import Volunteer
from panels.pool_file import PoolCheck, check_pool_rows
from surveys.volunteers import contact_for, volunteer_pool

POLL_ID_PREFIX = "poll-"


def poll_volunteer_table(deliberation, allowed: Mapping[str, Set[str]], actor) -> list[list[str]]:
    """One row per opt-in not yet in the pool, in the pool file's column layout."""
    features = sorted(allowed)
    present = set(
        Volunteer.objects.filter(
            deliberation=deliberation, external_id__startswith=POLL_ID_PREFIX
        ).values_list("external_id", flat=True)
    )
    table = [["id", "name", "email", "phone", *features]]
    for opt_in in volunteer_pool(deliberation):
        external_id = f"{POLL_ID_PREFIX}{opt_in.response.respondent_id}"
        if external_id in present:
            continue
        contact = contact_for(opt_in, actor)
        table.append(
            [
                external_id,
                contact.name if contact else "",
                contact.email if contact else "",
                contact.phone if contact else "",
                *(str(getattr(opt_in, feature, "") or "") for feature in features),
            ]
        )
    return table


def add_poll_volunteers(deliberation, allowed: Mapping[str, Set[str]], *, actor) -> PoolCheck:
    """Add every new opt-in, or none if any row has a problem; returns the check."""
    table = poll_volunteer_table(deliberation, allowed, actor)
    if len(table) == 1:
        return PoolCheck()
    ids, emails, phones = actions.contact_keys(deliberation)
    check = check_pool_rows(
        table, allowed, existing_ids=ids, existing_emails=emails, existing_phones=phones
    )
    if check.ok:
        actions.do_add_volunteers(
            deliberation, check.rows, source=Volunteer.Source.POLL, actor=actor
        )
    return check
