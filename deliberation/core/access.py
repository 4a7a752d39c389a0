"""The one permission layer every view and consumer goes through.

A role is held twice: as a Django group, which says what kind of account this is (an
organizer may create deliberations), and as a membership of a deliberation's team, which
says where it applies. ``role_required`` checks both: when the URL names a deliberation,
or an object inside one (each stage registers its URL arguments with
``register_url_argument``), the user must hold one of the roles on that deliberation's
team. A panelist's place is their seat, checked by the stage's object rules. Object rules
narrow further (deliberation.forum.access: a facilitator runs only their own groups).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from deliberation.core.models import Deliberation, Membership
from deliberation.core.roles import TEAM_ROLES, Role

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


def prime_roles(users: Iterable[Any]) -> None:
    """Read the roles of many users in one query, so naming them reads no more."""
    pending: dict[int, list[Any]] = {}
    for user in users:
        if user is not None and getattr(user, _CACHE_ATTR, None) is None:
            pending.setdefault(user.pk, []).append(user)
    if not pending:
        return
    held: dict[int, set[str]] = {pk: set() for pk in pending}
    for user_id, name in (
        get_user_model()
        .groups.through.objects.filter(user_id__in=pending, group__name__in=Role.values)
        .values_list("user_id", "group__name")
    ):
        held[user_id].add(name)
    for pk, same in pending.items():
        for user in same:
            if user.is_authenticated and user.is_active:
                setattr(user, _CACHE_ATTR, frozenset(held[pk]))


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


# URL argument -> the lookup from Deliberation to the object it names ("waves__pk").
_URL_ARGUMENTS: dict[str, str] = {"slug": "slug"}


def register_url_argument(argument: str, lookup: str) -> None:
    """Tell the access layer which deliberation a URL argument's object belongs to.

    Each stage registers its own arguments when its app is ready, so a new view under a
    registered argument is scoped to its deliberation's team without doing anything.
    """
    _URL_ARGUMENTS[argument] = lookup


def deliberation_of_url(kwargs: dict[str, Any]) -> Deliberation | None:
    """The deliberation the URL's arguments point into, or None (none named, or unknown)."""
    for argument, value in kwargs.items():
        lookup = _URL_ARGUMENTS.get(argument)
        if lookup is not None:
            return Deliberation.objects.filter(**{lookup: value}).distinct().first()
    return None


def team_roles(user: Any, deliberation: Deliberation | int | None) -> frozenset[str]:
    """The roles the user holds on the deliberation's team (read fresh: teams change)."""
    if deliberation is None or user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    deliberation_id = deliberation if isinstance(deliberation, int) else deliberation.pk
    return frozenset(
        Membership.objects.filter(user=user, deliberation_id=deliberation_id).values_list(
            "role", flat=True
        )
    ) & roles_of(user)


def on_team(user: Any, deliberation: Deliberation | int | None, *roles: str) -> bool:
    return bool(team_roles(user, deliberation) & set(roles or TEAM_ROLES))


def deliberations_of(user: Any, *roles: str) -> QuerySet[Deliberation]:
    """The deliberations on whose team the user holds one of the roles (any team role)."""
    held = roles_of(user) & set(roles or TEAM_ROLES)
    if not held:
        return Deliberation.objects.none()
    return Deliberation.objects.filter(
        pk__in=Membership.objects.filter(user=user, role__in=held).values("deliberation_id")
    )


def require_role(
    request: HttpRequest, roles: Iterable[str], url_kwargs: dict[str, Any] | None = None
) -> HttpResponse | None:
    """None when allowed; a login redirect for anonymous users; raises 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    roles = set(roles)
    if not has_role(request.user, *roles):
        raise PermissionDenied
    if has_role(request.user, *(roles - set(TEAM_ROLES))):
        return None  # a panelist: the stage's object rules check the seat
    deliberation = deliberation_of_url(url_kwargs or {})
    if deliberation is not None and not on_team(request.user, deliberation, *roles):
        raise PermissionDenied
    return None


def role_required(*roles: str) -> Callable:
    """Decorate a function view so only the given roles reach it, on the URL's
    deliberation's team when the URL names one."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            denied = require_role(request, roles, kwargs)
            if denied is not None:
                return denied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


def login_required_any_role(view: Callable) -> Callable:
    """For pages open to every signed-in user, whatever their role and team (the public
    audit of a draw, say)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, *Role.values):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.allowed_roles = frozenset(Role.values)
    return wrapper


def deny_unless(allowed: bool) -> None:
    """Raise 403 for an object-level refusal (the role check has already passed)."""
    if not allowed:
        raise PermissionDenied


# Object-level rules -----------------------------------------------------------------


def can_manage(user: Any, deliberation: Deliberation | int | None) -> bool:
    return on_team(user, deliberation, Role.ORGANIZER)


def can_analyse(user: Any, deliberation: Deliberation | int | None) -> bool:
    return on_team(user, deliberation, Role.ANALYST, Role.ORGANIZER)


def department_key(name: str) -> str:
    """A department's name as compared: "자원순환과 " and "자원순환과" are one department."""
    return " ".join((name or "").split()).casefold()


def same_department(name: str, other: str) -> bool:
    """Whether two names are the same, named department (see ``department_key``)."""
    key = department_key(name)
    return bool(key) and key == department_key(other)


def department_of(user: Any, deliberation: Deliberation | int | None) -> str:
    """The department the user answers for as this deliberation's department officer, or
    "" when they are not one (the role's group must be held too, as for every team role)."""
    if not on_team(user, deliberation, Role.DEPARTMENT):
        return ""
    pk = deliberation.pk if isinstance(deliberation, Deliberation) else deliberation
    membership = Membership.objects.filter(
        deliberation_id=pk, user_id=user.pk, role=Role.DEPARTMENT
    ).first()
    return membership.department if membership else ""


# Names, e-mail addresses and phone numbers of volunteers and panelists are shown only to
# the organizers who invite the panel: those whose membership of the deliberation carries
# contact access (its creator, and whom such an organizer names on the team page), or who
# hold this permission site-wide. Analysts never see them.
CONTACT_PERMISSION = "surveys.view_volunteer_contacts"


def can_see_contacts(user: Any, deliberation: Deliberation | int | None) -> bool:
    if not can_manage(user, deliberation):
        return False
    if user.has_perm(CONTACT_PERMISSION):
        return True
    pk = deliberation.pk if isinstance(deliberation, Deliberation) else deliberation
    return Membership.objects.filter(
        deliberation_id=pk, user_id=user.pk, role=Role.ORGANIZER, sees_contacts=True
    ).exists()
