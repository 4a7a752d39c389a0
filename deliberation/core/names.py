"""How a person is named wherever others see them: headers, rooms, consoles, exports and
e-mails all go through ``display_name``.

Panelists appear by the display name they chose at first sign-in or, until they choose
one, by their seat ("참여자 017"), never by their username, e-mail address or volunteer
id: those would tie what they say in a room to a person. Staff (organizers, facilitators,
experts, analysts) act as officials of the process and appear by their real name, or the
local part of their e-mail address when their account has no name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from deliberation.core.access import has_role
from deliberation.core.models import Profile
from deliberation.core.roles import TEAM_ROLES, Role

MAX_LENGTH = 30

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_URL = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|\b[\w-]+\.(?:com|net|org|kr|io|me|co|ly|info|biz|app|dev)\b)",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?:\d[\s().-]*){8,}")
# A name that reads like a seat's default name ("참여자 018", "Participant 18").
_SEAT_LIKE = re.compile(r"^(?:참여자|participant)\s*#?\s*0*(\d+)$", re.IGNORECASE)


def default_name(seat_number: int) -> str:
    """The name of a seat's person until they choose one, in the active language."""
    return _("Participant %(number)s") % {"number": f"{seat_number:03d}"}


def profile_of(user: Any) -> Profile | None:
    try:
        return user.profile
    except (ObjectDoesNotExist, AttributeError):
        return None


def is_staff_member(user: Any) -> bool:
    """Holds a team role: named by their real name (see the module docstring)."""
    return has_role(user, *TEAM_ROLES)


def staff_name(user: Any) -> str:
    return user.get_full_name().strip() or user.email.partition("@")[0] or user.username


def display_name(user: Any) -> str:
    """The one name others see for this person (read ``user.profile``: select it along
    with the user when naming many)."""
    if user is None:
        return ""
    profile = profile_of(user)
    if profile is not None and profile.display_name:
        return profile.display_name
    if profile is not None and profile.seat_number:
        return default_name(profile.seat_number)
    if is_staff_member(user):
        return staff_name(user)
    return _("Participant #%(id)s") % {"id": user.pk}


def default_seat(user: Any) -> int | None:
    """The seat number when the person goes by the default name, else None: clients that
    show names in the reader's language make the default name from it."""
    profile = profile_of(user)
    if profile is None or profile.display_name:
        return None
    return profile.seat_number


def chooses_own_name(user: Any) -> bool:
    """Panelists choose their display name; staff keep their real one."""
    return user.is_authenticated and has_role(user, Role.PANELIST) and not is_staff_member(user)


# Who must not share a display name with a person: the other people on their panels.
# The panels stage registers the reader (this layer may not import it).
_NAME_PEERS: list[Callable[[Any], Iterable[int]]] = []


def register_name_peers(reader: Callable[[Any], Iterable[int]]) -> None:
    _NAME_PEERS.append(reader)


def peers_of(user: Any) -> set[int]:
    peers: set[int] = set()
    for reader in _NAME_PEERS:
        peers.update(reader(user))
    peers.discard(user.pk)
    return peers


def clean_display_name(value: str, user: Any) -> str:
    """The name as it will be stored ("" for the default), or a translated refusal."""
    name = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not name:
        return ""
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError(_("A name cannot contain control characters."), code="control")
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            _("A name can be at most %(max)d characters long.") % {"max": MAX_LENGTH},
            code="too_long",
        )
    if _EMAIL.search(name):
        raise ValidationError(
            _("An e-mail address cannot be a name: others would see it."), code="email"
        )
    if _URL.search(name):
        raise ValidationError(_("A web address cannot be a name."), code="url")
    if _PHONE.search(name):
        raise ValidationError(
            _("A phone number cannot be a name: others would see it."), code="phone"
        )
    seat_like = _SEAT_LIKE.match(name)
    if seat_like:
        profile = profile_of(user)
        if profile is not None and profile.seat_number == int(seat_like.group(1)):
            return ""
        raise ValidationError(
            _("This is the name of another participant's seat. Choose another name."),
            code="seat",
        )
    taken = (
        Profile.objects.filter(user_id__in=peers_of(user), display_name__iexact=name).exists()
        if name
        else False
    )
    if taken:
        raise ValidationError(
            _("Someone on your panel already uses this name. Choose another name."),
            code="taken",
        )
    return name
