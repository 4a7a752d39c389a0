"""The demo deliberation: Seoul 2021, household waste and facility siting.

Every person and answer here is synthetic. The process outline follows the public report
the product comes from; dates are illustrative.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from deliberation.core.models import Deliberation, Membership, Stage
from deliberation.core.roles import Role

DEMO_SLUG = "seoul-2021-waste"


DEFAULT_PASSWORD = "gongnon-demo-2021"


FACILITATOR_COUNT = 30


PANELIST_COUNT = 300


# The department whose officer has a demo account; the demo's recommendations assigned to
# it (deliberation.report.demo) are answered by that account.
DEMO_DEPARTMENT = "자원순환과"


STAGE_PLAN = [
    (Stage.Kind.AGENDA, "2021-06-01", "2021-06-30", Stage.Status.DONE),
    (Stage.Kind.STEERING, "2021-07-01", "2021-12-31", Stage.Status.ACTIVE),
    (Stage.Kind.POLL, "2021-08-02", "2021-08-20", Stage.Status.DONE),
    (Stage.Kind.PANEL, "2021-08-23", "2021-09-10", Stage.Status.DONE),
    (Stage.Kind.EXPERT_DEBATE, "2021-09-25", "2021-09-25", Stage.Status.ACTIVE),
    (Stage.Kind.REGIONAL_FORUMS, "2021-10-02", "2021-10-16", Stage.Status.PLANNED),
    (Stage.Kind.PLENARY, "2021-10-30", "2021-10-30", Stage.Status.PLANNED),
    (Stage.Kind.SURVEYS, "2021-09-13", "2021-10-31", Stage.Status.ACTIVE),
    (Stage.Kind.RESULTS, "2021-11-15", "2021-12-15", Stage.Status.PLANNED),
]


@dataclass
class DemoAccounts:
    organizer: object
    analyst: object
    expert: object
    department: object = None
    facilitators: list = field(default_factory=list)
    panelists: list = field(default_factory=list)


def demo_emails() -> dict[str, list[str]]:
    return {
        Role.ORGANIZER: ["organizer@example.org"],
        Role.ANALYST: ["analyst@example.org"],
        Role.EXPERT: ["expert@example.org"],
        Role.DEPARTMENT: ["department@example.org"],
        Role.FACILITATOR: [
            f"facilitator{i:02d}@example.org" for i in range(1, FACILITATOR_COUNT + 1)
        ],
        Role.PANELIST: [f"panelist{i:03d}@example.org" for i in range(1, PANELIST_COUNT + 1)],
    }


def seed_accounts(password: str) -> DemoAccounts:
    """Create (or refresh) every demo account with one password, verified e-mail and role."""
    User = get_user_model()
    by_role = demo_emails()
    all_emails = [email for emails in by_role.values() for email in emails]
    # One hash for all accounts: hashing 333 passwords one by one takes minutes.
    password_hash = make_password(password)
    existing = {u.email: u for u in User.objects.filter(email__in=all_emails)}
    User.objects.bulk_create(
        [
            User(username=email.split("@")[0], email=email, password=password_hash)
            for email in all_emails
            if email not in existing
        ]
    )
    User.objects.filter(email__in=all_emails).update(password=password_hash, is_active=True)
    users = {u.email: u for u in User.objects.filter(email__in=all_emails)}
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[email], email=email, verified=True, primary=True)
            for email in all_emails
        ],
        ignore_conflicts=True,
    )
    memberships = []
    for role, emails in by_role.items():
        group = Group.objects.get(name=role)
        memberships += [
            User.groups.through(user_id=users[email].pk, group_id=group.pk) for email in emails
        ]
    User.groups.through.objects.bulk_create(memberships, ignore_conflicts=True)
    return DemoAccounts(
        organizer=users["organizer@example.org"],
        analyst=users["analyst@example.org"],
        expert=users["expert@example.org"],
        department=users["department@example.org"],
        facilitators=[users[e] for e in by_role[Role.FACILITATOR]],
        panelists=[users[e] for e in by_role[Role.PANELIST]],
    )


def seed_deliberation() -> Deliberation:
    deliberation, _ = Deliberation.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "title": "서울시 생활폐기물 공론화 2021 (데모)",
            "agenda": "서울시 생활폐기물 감량·처리 대책과 폐기물 처리시설 입지에 대한 주민수용성",
            "city": "서울특별시",
            "description": (
                "데모 데이터입니다: 사람, 응답, 결과는 모두 합성된 것입니다. "
                "Demo data: every person, answer and result is synthetic."
            ),
            "is_demo": True,
        },
    )
    for order, (kind, starts, ends, status) in enumerate(STAGE_PLAN, start=1):
        Stage.objects.update_or_create(
            deliberation=deliberation,
            kind=kind,
            defaults={
                "order": order,
                "starts_on": datetime.date.fromisoformat(starts),
                "ends_on": datetime.date.fromisoformat(ends),
                "status": status,
                "status_by_hand": True,  # the demo's story stays in the autumn of 2021
            },
        )
    return deliberation


def seed_team(deliberation: Deliberation, accounts: DemoAccounts) -> None:
    """Every demo staff account is on the demo deliberation's team in its role."""
    team = [
        (accounts.organizer, Role.ORGANIZER),
        (accounts.analyst, Role.ANALYST),
        (accounts.expert, Role.EXPERT),
        *((f, Role.FACILITATOR) for f in accounts.facilitators),
    ]
    members = [Membership(deliberation=deliberation, user=user, role=role) for user, role in team]
    members.append(
        Membership(
            deliberation=deliberation,
            user=accounts.department,
            role=Role.DEPARTMENT,
            department=DEMO_DEPARTMENT,
        )
    )
    Membership.objects.bulk_create(members, ignore_conflicts=True)


@transaction.atomic
def seed_core(password: str) -> tuple[Deliberation, DemoAccounts]:
    accounts = seed_accounts(password)
    deliberation = seed_deliberation()
    seed_team(deliberation, accounts)
    return deliberation, accounts
