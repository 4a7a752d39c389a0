"""The one permission layer every view and consumer goes through.

Roles are Django groups (global); object rules narrow them to the objects a user is
attached to. The rules of each stage live with it (e.g. deliberation.forum.access: a
facilitator runs only the groups assigned to them) and build on the checks here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from deliberation.core.roles import Role

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


def deny_unless(allowed: bool) -> None:
    """Raise 403 for an object-level refusal (the role check has already passed)."""
    if not allowed:
        raise PermissionDenied


# Object-level rules -----------------------------------------------------------------


def can_manage(user: Any) -> bool:
    return has_role(user, Role.ORGANIZER)


def can_analyse(user: Any) -> bool:
    return has_role(user, Role.ANALYST, Role.ORGANIZER)


# Names, e-mail addresses and phone numbers of volunteers and panelists are shown only to
# organizers granted this permission (they invite the panel); analysts never see them.
CONTACT_PERMISSION = "surveys.view_volunteer_contacts"


def can_see_contacts(user: Any) -> bool:
    return has_role(user, Role.ORGANIZER) and user.has_perm(CONTACT_PERMISSION)
