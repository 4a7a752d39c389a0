"""Sessions and who runs them: organizers schedule them and pick people from the team."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.access import on_team
from deliberation.core.actions import ActionRefused
from deliberation.core.models import Deliberation
from deliberation.core.names import display_name
from deliberation.core.roles import Role
from deliberation.forum.actions.rooms import do_open_rooms
from deliberation.forum.models import ForumGroup, Session, numbered_group_name


def _check_team(deliberation: Deliberation, user: Any, *roles: str) -> None:
    if user is not None and not on_team(user, deliberation, *roles):
        raise ActionRefused(
            "not_on_team",
            _("%(person)s is not on this deliberation's team as %(roles)s.")
            % {
                "person": user.get_username(),
                "roles": " / ".join(str(Role(r).label) for r in roles),
            },
        )


SESSION_FIELDS = ("kind", "title", "starts_at", "ends_at", "region", "moderator")


def do_save_session(
    deliberation: Deliberation,
    *,
    actor: Any,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    region: str = "",
    moderator: Any = None,
    experts: Iterable[Any] = (),
    group_count: int = 0,
    session: Session | None = None,
) -> Session:
    """Create a session (with ``group_count`` groups) or edit one; the moderator and the
    experts come from the deliberation's team, and the rooms open at once."""
    experts = list(experts)
    _check_team(deliberation, moderator, Role.FACILITATOR, Role.ORGANIZER)
    for expert in experts:
        _check_team(deliberation, expert, Role.EXPERT)
    with transaction.atomic():
        before: dict[str, Any] = {}
        if session is None:
            session = Session(deliberation=deliberation)
        else:
            session = Session.objects.select_for_update().get(
                pk=session.pk, deliberation=deliberation
            )
            before = {
                **audit.values_of(session, SESSION_FIELDS),
                "experts": sorted(session.experts.values_list("pk", flat=True)),
            }
        session.kind = kind
        session.title = title
        session.starts_at = starts_at
        session.ends_at = ends_at
        session.region = region
        session.moderator = moderator
        session.full_clean(exclude=["deliberation"])
        session.save()
        session.experts.set(experts)
        if group_count and not session.groups.exists():
            ForumGroup.objects.bulk_create(
                ForumGroup(session=session, name=numbered_group_name(i), number=i)
                for i in range(1, group_count + 1)
            )
        do_open_rooms(session)
        after = {
            **audit.values_of(session, SESSION_FIELDS),
            "experts": sorted(e.pk for e in experts),
        }
        audit.record(
            "session.saved",
            actor=actor,
            deliberation=deliberation,
            obj=session,
            label=session.title,
            changes=audit.changes_between(before, after) if before else {},
            extra={"created": not before, "groups": group_count} if not before else {},
        )
    return session


def do_assign_facilitator(group: ForumGroup, facilitator: Any, *, actor: Any) -> ForumGroup:
    """Give a group its facilitator, a facilitator on the deliberation's team (or none)."""
    deliberation = group.session.deliberation
    _check_team(deliberation, facilitator, Role.FACILITATOR)
    with transaction.atomic():
        locked = ForumGroup.objects.select_for_update().get(pk=group.pk)
        before = audit.values_of(locked, ["facilitator"])
        locked.facilitator = facilitator
        locked.save(update_fields=["facilitator"])
        audit.record(
            "facilitator.assigned",
            actor=actor,
            deliberation=deliberation,
            obj=locked,
            label=str(group),
            changes=audit.changed(before, locked),
            extra={"facilitator": display_name(facilitator) if facilitator is not None else ""},
        )
    return locked
