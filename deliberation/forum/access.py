"""Who may enter and run the forum's rooms: the object rules of the live forum.

Staff act only on their own deliberation's team: an organizer of another deliberation,
or a facilitator who has left the team, is refused even where an assignment remains.
"""

from __future__ import annotations

from typing import Any

from deliberation.core.access import has_role, on_team, team_roles
from deliberation.core.roles import Role
from deliberation.forum.models import ForumGroup, Session
from panels.models import Panelist


def can_run_group(user: Any, group: Any) -> bool:
    """Facilitators run only their own groups; the deliberation's organizers step in."""
    deliberation_id = group.session.deliberation_id
    if on_team(user, deliberation_id, Role.ORGANIZER):
        return True
    return group.facilitator_id == user.pk and on_team(user, deliberation_id, Role.FACILITATOR)


def can_join_group(user: Any, group: Any) -> bool:
    """Panelists enter only their own group's room."""
    if can_run_group(user, group):
        return True
    return has_role(user, Role.PANELIST) and group.members.filter(pk=user.pk).exists()


def can_join_plenary(user: Any, session: Any) -> bool:
    """The whole-session room: the deliberation's panel, its facilitators, invited experts."""
    deliberation_id = session.deliberation_id
    team = team_roles(user, deliberation_id)
    if Role.ORGANIZER in team or (team and session.moderator_id == user.pk):
        return True
    if Role.EXPERT in team and session.experts.filter(pk=user.pk).exists():
        return True
    deliberation_groups = ForumGroup.objects.filter(session__deliberation_id=deliberation_id)
    if Role.FACILITATOR in team and deliberation_groups.filter(facilitator=user).exists():
        return True
    if not has_role(user, Role.PANELIST):
        return False
    if session.groups.filter(members=user).exists():
        return True
    return (
        Panelist.objects.active()
        .filter(deliberation_id=session.deliberation_id, user=user)
        .exists()
    )


def can_read_materials(user: Any, session: Any) -> bool:
    """A session's materials: the deliberation's staff and its active panel."""
    deliberation_id = session.deliberation_id
    team = team_roles(user, deliberation_id)
    if team & {Role.ORGANIZER, Role.ANALYST}:
        return True
    if team and session.moderator_id == user.pk:
        return True
    if (
        Role.EXPERT in team
        and Session.objects.filter(deliberation_id=deliberation_id, experts=user).exists()
    ):
        return True
    if (
        Role.FACILITATOR in team
        and ForumGroup.objects.filter(
            session__deliberation_id=deliberation_id, facilitator=user
        ).exists()
    ):
        return True
    return (
        has_role(user, Role.PANELIST)
        and Panelist.objects.active().filter(deliberation_id=deliberation_id, user=user).exists()
    )


def can_join_room(user: Any, room: Any) -> bool:
    """A group's room admits its members; a plenary room its session's participants."""
    if room.group_id is not None:
        return can_join_group(user, room.group)
    return can_join_plenary(user, room.session)


def can_run_room(user: Any, room: Any) -> bool:
    """Facilitator actions: the group's facilitator, the plenary's moderator, organizers."""
    if room.group_id is not None:
        return can_run_group(user, room.group)
    team = team_roles(user, room.session.deliberation_id)
    return Role.ORGANIZER in team or bool(team and room.session.moderator_id == user.pk)


def can_answer_in_room(user: Any, room: Any) -> bool:
    """Experts invited to the session answer questions, as may whoever runs the room."""
    if can_run_room(user, room):
        return True
    return (
        on_team(user, room.session.deliberation_id, Role.EXPERT)
        and room.session.experts.filter(pk=user.pk).exists()
    )
