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
from django.utils import timezone

from deliberation.actions import do_allocate_groups, do_ask_question
from deliberation.models import Deliberation, ForumGroup, Material, Room, RoomEvent, Session, Stage
from deliberation.roles import Role

DEMO_SLUG = "seoul-2021-waste"
DEFAULT_PASSWORD = "gongnon-demo-2021"
FACILITATOR_COUNT = 30
PANELIST_COUNT = 300

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
    facilitators: list = field(default_factory=list)
    panelists: list = field(default_factory=list)


def demo_emails() -> dict[str, list[str]]:
    return {
        Role.ORGANIZER: ["organizer@example.org"],
        Role.ANALYST: ["analyst@example.org"],
        Role.EXPERT: ["expert@example.org"],
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
            },
        )
    return deliberation


def _at(day: str, hour: int) -> datetime.datetime:
    naive = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    return timezone.make_aware(naive)


def seed_sessions(deliberation: Deliberation, accounts: DemoAccounts) -> None:
    """An expert debate, one regional forum of six groups per 권역, and the plenary."""
    expert_debate, _ = Session.objects.update_or_create(
        deliberation=deliberation,
        title="전문가 토론회",
        defaults={
            "kind": Session.Kind.EXPERT_DEBATE,
            "starts_at": _at("2021-09-25", 14),
            "ends_at": _at("2021-09-25", 17),
        },
    )
    expert_debate.experts.add(accounts.expert)
    plenary, _ = Session.objects.update_or_create(
        deliberation=deliberation,
        title="시민대토론회",
        defaults={
            "kind": Session.Kind.PLENARY,
            "starts_at": _at("2021-10-30", 13),
            "ends_at": _at("2021-10-30", 18),
        },
    )
    plenary.experts.add(accounts.expert)
    regional = Session.objects.filter(deliberation=deliberation, title="권역별 시민토론회").first()
    if regional is None:
        regional = Session.objects.create(
            deliberation=deliberation,
            kind=Session.Kind.REGIONAL_FORUM,
            title="권역별 시민토론회",
            starts_at=_at("2021-10-09", 14),
            ends_at=_at("2021-10-09", 17),
        )
    plenary.moderator = accounts.facilitators[0] if accounts.facilitators else None
    plenary.save(update_fields=["moderator"])
    if not regional.groups.exists():
        ForumGroup.objects.bulk_create(
            [
                ForumGroup(session=regional, name=f"{i:02d}조", facilitator=facilitator)
                for i, facilitator in enumerate(accounts.facilitators, start=1)
            ]
        )
    if not ForumGroup.members.through.objects.filter(forumgroup__session=regional).exists():
        do_allocate_groups(regional, actor=accounts.organizer, seed=2021)


MATERIALS = [
    (
        "자료집 1: 서울시 생활폐기물 현황 (데모)",
        "데모 자료입니다. 서울시에서 하루에 발생하는 생활폐기물의 양, 재활용률, 매립과 소각의 "
        "비중을 정리한 합성 요약입니다.\n\nDemo material: a synthetic summary of household waste "
        "volumes, recycling and the shares of landfill and incineration.",
    ),
    (
        "자료집 2: 선택지 A — 감량과 재활용 확대 (데모)",
        "선택지 A는 분리배출 강화, 다회용기 보급, 재활용 선별시설 확충으로 매립·소각량을 줄이는 "
        "방안입니다. (합성 자료)",
    ),
    (
        "자료집 3: 선택지 B — 자원회수시설 신규 입지 (데모)",
        "선택지 B는 광역 자원회수시설을 새로 짓고 주민 지원과 환경 감시를 함께 제공하는 "
        "방안입니다. (합성 자료)",
    ),
]

SYNTHETIC_CHAT = [
    "안녕하세요, 오늘 토론 잘 부탁드립니다. (데모 메시지)",
    "자료집을 보니 재활용률이 생각보다 낮네요.",
    "선택지 A만으로 충분할지 의문입니다.",
    "시설 주변 주민 지원이 확실하다면 선택지 B도 고려할 만합니다.",
    "분리배출 교육이 먼저라고 생각해요.",
    "다음 순서로 넘어가기 전에 한 분씩 의견을 들어볼까요?",
]


def seed_forum(deliberation: Deliberation) -> None:
    """Materials for every session, a room per group with a little synthetic chat history,
    and the plenary's room with two questions to the experts."""
    for session in deliberation.sessions.all():
        for order, (title, body) in enumerate(MATERIALS, start=1):
            Material.objects.get_or_create(
                session=session, title=title, defaults={"body": body, "order": order}
            )
    groups = ForumGroup.objects.filter(session__deliberation=deliberation).select_related("session")
    for group in groups.prefetch_related("members"):
        room = Room.for_group(group)
        if room.last_seq:
            continue
        speakers = [group.facilitator, *group.members.order_by("username")[:5]]
        speakers = [speaker for speaker in speakers if speaker is not None]
        if not speakers:
            continue
        events = [
            RoomEvent(
                room=room,
                seq=seq,
                kind="message",
                author=speakers[(seq - 1) % len(speakers)],
                text=text,
                is_synthetic=True,
            )
            for seq, text in enumerate(SYNTHETIC_CHAT, start=1)
        ]
        RoomEvent.objects.bulk_create(events)
        Room.objects.filter(pk=room.pk).update(last_seq=len(events))
    plenary = deliberation.sessions.filter(kind=Session.Kind.PLENARY).first()
    if plenary is not None:
        room = Room.for_session(plenary)
        member = ForumGroup.members.through.objects.filter(
            forumgroup__session__deliberation=deliberation
        ).first()
        if room.last_seq == 0 and member is not None:
            for text in [
                "소각시설의 대기오염 관리는 어떻게 하나요? (데모 질문)",
                "재활용 선별장 확충 비용은 얼마인가요? (데모 질문)",
            ]:
                do_ask_question(room.pk, member.user, text)
            RoomEvent.objects.filter(room=room).update(is_synthetic=True)


@transaction.atomic
def seed_core(password: str) -> tuple[Deliberation, DemoAccounts]:
    accounts = seed_accounts(password)
    deliberation = seed_deliberation()
    return deliberation, accounts
