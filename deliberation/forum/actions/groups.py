"""Allocating the panel to a session's groups, and moving a panelist by hand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from deliberation.core import audit
from deliberation.forum.actions.access import do_revoke_room_access, rooms_of_groups
from deliberation.forum.actions.rooms import do_open_rooms
from deliberation.forum.allocation import allocate, encode
from deliberation.forum.models import ForumGroup, Session, numbered_group_name
from deliberation.forum.selectors import allocation_candidates
from panels.models import Panelist
from panels.strata import STRATA


def do_allocate_groups(
    session: Session, *, actor: Any, group_count: int | None = None, seed: int = 0
) -> list[ForumGroup]:
    """Re-allocate the panel to the session's groups so each mixes regions, genders, ages.

    With no groups yet, ``group_count`` groups are created first. All memberships of the
    session's groups are replaced in one transaction.
    """
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        groups = list(ForumGroup.objects.filter(session=locked).order_by("name"))
        if not groups:
            if not group_count or group_count < 1:
                raise ValueError("the session has no groups; give a group count")
            ForumGroup.objects.bulk_create(
                [
                    ForumGroup(session=locked, name=numbered_group_name(i), number=i)
                    for i in range(1, group_count + 1)
                ]
            )
            groups = list(ForumGroup.objects.filter(session=locked).order_by("name"))
        do_open_rooms(locked)
        panelists = allocation_candidates(locked)
        codes = (
            encode([[getattr(p, stratum) for p in panelists] for stratum in STRATA])
            if panelists
            else None
        )
        assignment: Sequence[int] = (
            allocate(codes, len(groups), seed=seed).tolist() if codes is not None else []
        )
        Through = ForumGroup.members.through
        before = dict(
            Through.objects.filter(forumgroup__session=locked).values_list(
                "user_id", "forumgroup_id"
            )
        )
        after = {p.user_id: groups[int(g)].pk for p, g in zip(panelists, assignment, strict=True)}
        Through.objects.filter(forumgroup__session=locked).delete()
        Through.objects.bulk_create(
            [
                Through(forumgroup_id=group_id, user_id=user_id)
                for user_id, group_id in after.items()
            ]
        )
        _revoke_changed(before, after)
        audit.record(
            "groups.allocated",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.title,
            extra={"panelists": len(panelists), "groups": len(groups), "seed": seed},
        )
    return groups


def do_move_member(session: Session, *, user_id: int, group_id: int, actor: Any) -> ForumGroup:
    """Move one panelist to another group of the same session (by hand, after allocation)."""
    with transaction.atomic():
        target = ForumGroup.objects.select_for_update().get(pk=group_id, session=session)
        if (
            not Panelist.objects.active()
            .filter(deliberation_id=session.deliberation_id, user_id=user_id)
            .exists()
        ):
            raise ValueError("not a panelist of this deliberation")
        Through = ForumGroup.members.through
        before = dict(
            Through.objects.filter(forumgroup__session=session, user_id=user_id).values_list(
                "user_id", "forumgroup_id"
            )
        )
        Through.objects.filter(forumgroup__session=session, user_id=user_id).delete()
        Through.objects.create(forumgroup_id=target.pk, user_id=user_id)
        _revoke_changed(before, {user_id: target.pk})
        audit.record(
            "member.moved",
            actor=actor,
            deliberation=session.deliberation_id,
            obj=target,
            label=str(target),
            changes={"group": [before.get(user_id), target.pk]},
            extra={"user": user_id},
        )
    return target


def _revoke_changed(before: dict[int, int], after: dict[int, int]) -> None:
    """Close the old group's room to everyone whose group changed or who left."""
    lost: dict[int, list[int]] = {}
    for user_id, group_id in before.items():
        if after.get(user_id) != group_id:
            lost.setdefault(group_id, []).append(user_id)
    for group_id, user_ids in lost.items():
        do_revoke_room_access(rooms_of_groups([group_id]), user_ids)
