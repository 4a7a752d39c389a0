"""Erasing a deliberation's contact data at the end of the process, every copy of it.

Contact details exist only to invite people: the poll volunteers' (ContactDetails), the
pool's (panels' VolunteerContact) and the panelists' accounts (e-mail addresses, names,
chosen display names).
Answers, pseudonyms and statistics stay; the erasure itself is recorded.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from deliberation.core import audit
from deliberation.core.models import Deliberation, Profile
from deliberation.core.roles import Role
from panels import actions as pool_actions
from surveys.models import ContactDetails, ContactErasure

logger = logging.getLogger(__name__)


def panelist_accounts_to_anonymise(deliberation: Deliberation) -> tuple[list[int], int]:
    """Accounts of the panel that only this panel uses, and how many are kept.

    An account that holds another role, is staff, or sits on another deliberation's panel
    is someone's working account: it is kept (and counted) rather than disabled.
    """
    User = get_user_model()
    users = (
        User.objects.filter(panel_seats__deliberation=deliberation)
        .annotate(
            seats=Count("panel_seats", distinct=True),
            other_roles=Count("groups", filter=~Q(groups__name=Role.PANELIST), distinct=True),
        )
        .values_list("pk", "seats", "other_roles", "is_staff", "is_superuser")
    )
    erase, kept = [], 0
    for pk, seats, other_roles, is_staff, is_superuser in users:
        if seats == 1 and not other_roles and not is_staff and not is_superuser:
            erase.append(pk)
        else:
            kept += 1
    return erase, kept


def do_erase_contact_data(deliberation: Deliberation, *, actor: Any) -> ContactErasure:
    """Erase every copy of the deliberation's citizens' contact data, in one transaction."""
    User = get_user_model()
    with transaction.atomic():
        locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        now = timezone.now()
        poll = ContactDetails.objects.filter(
            opt_in__deliberation=locked, erased_at__isnull=True
        ).update(name="", phone="", email="", erased_at=now)
        pool = pool_actions.do_erase_contacts(locked, actor=actor)
        user_ids, kept = panelist_accounts_to_anonymise(locked)
        accounts = list(User.objects.filter(pk__in=user_ids))
        for user in accounts:
            user.username = f"erased-{secrets.token_hex(8)}"
            user.email = ""
            user.first_name = ""
            user.last_name = ""
            user.is_active = False
            user.set_unusable_password()
        User.objects.bulk_update(
            accounts,
            ["username", "email", "first_name", "last_name", "is_active", "password"],
            batch_size=500,
        )
        EmailAddress.objects.filter(user_id__in=user_ids).delete()
        # A chosen display name may be the person's own name: they go back to their seat's.
        Profile.objects.filter(user_id__in=user_ids).update(display_name="")
        record = ContactErasure.objects.create(
            deliberation=locked,
            actor=actor if getattr(actor, "pk", None) else None,
            erased_at=now,
            counts={
                "poll_volunteers": poll,
                "pool": pool,
                "accounts": len(accounts),
                "accounts_kept": kept,
            },
        )
        audit.record(
            "contacts.erased", actor=actor, deliberation=locked, obj=record, extra=record.counts
        )
    return record
