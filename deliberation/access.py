"""The one permission layer every view and consumer goes through.

Roles are Django groups (global); object rules narrow them to the objects a user is
attached to, e.g. a facilitator runs only the groups assigned to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from deliberation.roles import Role

_CACHE_ATTR = "_gongnon_roles"


def roles_of(user: Any) -> frozenset[str]:
    """The user's roles, read once per request object and cached on it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def require_role(request: HttpRequest, roles: Iterable[str]) -> HttpResponse | None:
    """None when allowed; a login redirect for anonymous users; raises 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, *roles):
        raise PermissionDenied
    return None


def role_required(*roles: str) -> Callable:
    """Decorate a function view so only the given roles reach it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            denied = require_role(request, roles)
            if denied is not None:
                return denied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


def login_required_any_role(view: Callable) -> Callable:
    """For pages open to every signed-in user, whatever their role."""
    return role_required(*Role.values)(view)


class RoleRequiredMixin:
    """Class-based counterpart of role_required; set allowed_roles on the view."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        denied = require_role(request, self.allowed_roles)
        if denied is not None:
            return denied
        return super().dispatch(request, *args, **kwargs)


def deny_unless(allowed: bool) -> None:
    """Raise 403 for an object-level refusal (the role check has already passed)."""
    if not allowed:
        raise PermissionDenied


# Object-level rules -----------------------------------------------------------------


def can_manage(user: Any) -> bool:
    return has_role(user, Role.ORGANIZER)


def can_analyse(user: Any) -> bool:
    return has_role(user, Role.ANALYST, Role.ORGANIZER)


def can_run_group(user: Any, group: Any) -> bool:
    """Facilitators run only their own groups; organizers may step in anywhere."""
    if has_role(user, Role.ORGANIZER):
        return True
    return has_role(user, Role.FACILITATOR) and group.facilitator_id == user.pk


def can_join_group(user: Any, group: Any) -> bool:
    """Panelists enter only their own group's room."""
    if can_run_group(user, group):
        return True
    return has_role(user, Role.PANELIST) and group.members.filter(pk=user.pk).exists()


def can_join_session(user: Any, session: Any) -> bool:
    """Experts take part in the sessions they are invited to; panelists in their own."""
    if has_role(user, Role.ORGANIZER):
        return True
    if has_role(user, Role.EXPERT) and session.experts.filter(pk=user.pk).exists():
        return True
    if has_role(user, Role.FACILITATOR) and session.groups.filter(facilitator=user).exists():
        return True
    return has_role(user, Role.PANELIST) and session.groups.filter(members=user).exists()


def can_join_plenary(user: Any, session: Any) -> bool:
    """The whole-session room: the deliberation's panel, its facilitators, invited experts."""
    if has_role(user, Role.ORGANIZER) or (
        user.is_authenticated and session.moderator_id == user.pk
    ):
        return True
    if has_role(user, Role.EXPERT) and session.experts.filter(pk=user.pk).exists():
        return True
    deliberation_groups = session.groups.model.objects.filter(
        session__deliberation_id=session.deliberation_id
    )
    if has_role(user, Role.FACILITATOR) and deliberation_groups.filter(facilitator=user).exists():
        return True
    if not has_role(user, Role.PANELIST):
        return False
    if session.groups.filter(members=user).exists():
        return True
    from panels.models import Panelist

    return (
        Panelist.objects.filter(deliberation_id=session.deliberation_id, user=user)
        .exclude(status__in=[Panelist.Status.DECLINED, Panelist.Status.DROPPED])
        .exists()
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
    if has_role(user, Role.ORGANIZER):
        return True
    return user.is_authenticated and room.session.moderator_id == user.pk


def can_answer_in_room(user: Any, room: Any) -> bool:
    """Experts invited to the session answer questions, as may whoever runs the room."""
    if can_run_room(user, room):
        return True
    return has_role(user, Role.EXPERT) and room.session.experts.filter(pk=user.pk).exists()
