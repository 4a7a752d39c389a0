"""The names panelists are shown by: chosen at first sign-in, or their seat's default."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.core import names
from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.models import Profile

logger = logging.getLogger(__name__)


def do_set_display_name(user: Any, value: str) -> Profile:
    """Set (or, with a blank value, reset to the seat's default) the name a panelist is
    shown by, and count the first-sign-in question as answered.

    Raises ActionRefused with the translated reason when the name is not allowed; staff
    keep their real names and are refused too.
    """
    if not names.chooses_own_name(user):
        raise ActionRefused("staff", _("Staff appear by their real name."))
    try:
        name = names.clean_display_name(value, user)
    except ValidationError as exc:
        raise ActionRefused(exc.code or "invalid", exc.messages[0]) from None
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        profile.display_name = name
        profile.name_confirmed_at = profile.name_confirmed_at or timezone.now()
        profile.save(update_fields=["display_name", "name_confirmed_at"])
        transaction.on_commit(lambda: logger.info("display name of %s set", user.pk))
    user.profile = profile
    return profile


def record_seat_numbers(numbers: dict[int, int]) -> None:
    """Inside the transaction that seats people: each person's default name now comes from
    their newest seat (user id -> seat number)."""
    if not numbers:
        return
    existing = set(Profile.objects.filter(user_id__in=numbers).values_list("user_id", flat=True))
    Profile.objects.bulk_create(
        [Profile(user_id=u, seat_number=n) for u, n in numbers.items() if u not in existing]
    )
    for user_id, number in numbers.items():
        if user_id in existing:
            Profile.objects.filter(user_id=user_id).update(seat_number=number)
