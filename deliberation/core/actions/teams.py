"""A deliberation's team: people invited by e-mail in a role, and removed again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from deliberation.core import audit
from deliberation.core.actions.refusal import ActionRefused
from deliberation.core.models import Deliberation, Membership
from deliberation.core.roles import TEAM_ROLES, Role


@dataclass(frozen=True)
class TeamInvitation:
    """One person to invite: their e-mail address, the role, a name for new accounts, and
    for a department officer the department they answer for."""

    email: str
    role: str
    name: str = ""
    department: str = ""


DEPARTMENT_LENGTH = 120


def check_invitations(invitations: list[TeamInvitation]) -> list[str]:
    """Every problem of a list of invitations, one sentence each, numbered by line."""
    problems = []
    for line, invitation in enumerate(invitations, start=1):
        try:
            validate_email(invitation.email)
        except ValidationError:
            problems.append(
                _("Line %(line)d: “%(email)s” is not an e-mail address.")
                % {"line": line, "email": invitation.email}
            )
        if invitation.role not in TEAM_ROLES:
            problems.append(
                _("Line %(line)d: “%(role)s” is not a team role (%(roles)s).")
                % {
                    "line": line,
                    "role": invitation.role,
                    "roles": ", ".join(str(r) for r in TEAM_ROLES),
                }
            )
        if len(invitation.name) > 150:
            problems.append(_("Line %(line)d: the name is too long.") % {"line": line})
        if invitation.role == Role.DEPARTMENT and not invitation.department:
            problems.append(
                _("Line %(line)d: name the department a department officer answers for.")
                % {"line": line}
            )
        if len(invitation.department) > DEPARTMENT_LENGTH:
            problems.append(
                _("Line %(line)d: the department's name is too long (at most %(n)d characters).")
                % {"line": line, "n": DEPARTMENT_LENGTH}
            )
    return problems


def account_with_role(email: str, role: str, name: str = "") -> Any:
    """The account of an e-mail address (made without a password: people sign in with a
    code), its address verified, holding the role."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email[:150], email=email, first_name=name[:150])
        user.set_unusable_password()
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def do_create_organizer(email: str, *, name: str = "") -> Any:
    """The first organizer of a new installation, who then creates deliberations and
    invites everyone else in the product."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ActionRefused(
            "invalid", _("“%(email)s” is not an e-mail address.") % {"email": email}
        ) from None
    with transaction.atomic():
        user = account_with_role(email, Role.ORGANIZER, name.strip())
        audit.record("organizer.created", actor=None, deliberation=None, obj=user, label=email)
    return user


def do_invite_to_team(
    deliberation: Deliberation,
    invitations: list[TeamInvitation],
    *,
    login_url: str,
    actor: Any,
) -> list[Membership]:
    """Put each person on the team in their role, creating accounts as needed, and e-mail
    them a sign-in-by-code link. All or nothing: one bad line refuses the whole list.

    A department officer's membership carries their department; the other roles' none.
    """
    invitations = [
        TeamInvitation(
            i.email.strip().lower(),
            i.role.strip(),
            i.name.strip(),
            " ".join(i.department.split()) if i.role.strip() == Role.DEPARTMENT else "",
        )
        for i in invitations
    ]
    if not invitations:
        raise ActionRefused("empty", _("Give at least one e-mail address."))
    problems = check_invitations(invitations)
    if problems:
        raise ActionRefused("invalid", " ".join(problems))
    created: list[Membership] = []
    with transaction.atomic():
        for invitation in invitations:
            user = account_with_role(invitation.email, invitation.role, invitation.name)
            membership, new = Membership.objects.get_or_create(
                deliberation=deliberation,
                user=user,
                role=invitation.role,
                defaults={"invited_by": actor, "department": invitation.department},
            )
            if new:
                created.append(membership)
        messages = [_invitation_mail(deliberation, m, login_url) for m in created]
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
        if created:
            audit.record(
                "team.invited",
                actor=actor,
                deliberation=deliberation,
                label=", ".join(m.user.email for m in created),
                extra={
                    "invited": [
                        [m.user.email, m.role, *([m.department] if m.department else [])]
                        for m in created
                    ]
                },
            )
    return created


def _invitation_mail(
    deliberation: Deliberation, membership: Membership, login_url: str
) -> tuple[str, str, None, list[str]]:
    email = membership.user.email
    link = f"{login_url}?{urlencode({'email': email})}"
    role = Role(membership.role).label
    body = render_to_string(
        "deliberation/email/team_invitation.txt",
        {
            "deliberation": deliberation,
            "role": role,
            "link": link,
            "email": email,
            "department": membership.department,
        },
    )
    subject = _("You are on the team of %(title)s as %(role)s") % {
        "title": deliberation.title,
        "role": role,
    }
    return (subject, body, None, [email])


def do_set_contact_access(membership: Membership, allowed: bool, *, actor: Any) -> Membership:
    """Give an organizer of the team access to volunteers' contacts, or take it back.

    Only an organizer who has that access passes it on, and one who has it cannot take
    their own away, so the deliberation is never left with nobody to invite the panel.
    """
    from deliberation.core.access import can_see_contacts

    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if locked.role != Role.ORGANIZER:
            raise ActionRefused(
                "not_organizer", _("Only organizers can be given access to contact details.")
            )
        if not can_see_contacts(actor, locked.deliberation_id):
            raise ActionRefused(
                "no_contact_access",
                _("Only an organizer who sees contact details can give or take that access."),
            )
        if locked.user_id == actor.pk and not allowed:
            raise ActionRefused(
                "own_contact_access",
                _("Ask another organizer with access to take yours away."),
            )
        if locked.sees_contacts != allowed:
            audit.record(
                "team.contact_access",
                actor=actor,
                deliberation=locked.deliberation_id,
                obj=locked,
                label=locked.user.email,
                changes={"sees_contacts": [locked.sees_contacts, allowed]},
            )
            locked.sees_contacts = allowed
            locked.save(update_fields=["sees_contacts"])
    return locked


def do_remove_from_team(membership: Membership, *, actor: Any) -> None:
    """Take a person off the team in one role; the last organizer stays. The role itself
    goes when they hold it on no other team."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=membership.deliberation_id)
        if (
            membership.role == Role.ORGANIZER
            and Membership.objects.filter(
                deliberation_id=membership.deliberation_id, role=Role.ORGANIZER
            ).count()
            == 1
        ):
            raise ActionRefused("last_organizer", _("A deliberation keeps at least one organizer."))
        audit.record(
            "team.removed",
            actor=actor,
            deliberation=membership.deliberation_id,
            obj=membership,
            label=membership.user.email,
            extra={"role": membership.role},
        )
        membership.delete()
        if not Membership.objects.filter(user=membership.user, role=membership.role).exists():
            membership.user.groups.remove(*Group.objects.filter(name=membership.role))
