"""The demo's live forum: sessions, groups, materials and a little synthetic history.

Every person and message here is synthetic.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from deliberation.core.demo import DemoAccounts
from deliberation.core.models import Deliberation
from deliberation.forum.actions import (
    do_add_recommendation,
    do_allocate_groups,
    do_ask_question,
    do_open_rooms,
    do_refresh_opinion_map,
    do_support_recommendation,
)
from deliberation.forum.models import (
    Attendance,
    ForumGroup,
    GroupRecommendation,
    Material,
    Room,
    RoomEvent,
    Session,
    Statement,
    StatementVote,
    numbered_group_name,
)
from deliberation.forum.selectors import group_room, plenary_room
from panels.demo import takes_part
from panels.models import Panelist


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
                ForumGroup(
                    session=regional,
                    name=numbered_group_name(i),
                    number=i,
                    facilitator=facilitator,
                )
                for i, facilitator in enumerate(accounts.facilitators, start=1)
            ]
        )
    if not ForumGroup.members.through.objects.filter(forumgroup__session=regional).exists():
        do_allocate_groups(regional, actor=accounts.organizer, seed=2021)
    for session in (expert_debate, plenary, regional):
        do_open_rooms(session)


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


SYNTHETIC_RECOMMENDATIONS = [
    "음식물 쓰레기 감량을 위해 공동주택 단지별 감량 목표를 정한다. (데모 제언)",
    "소각시설 주변 주민에게 대기질 측정 결과를 실시간으로 공개한다. (데모 제언)",
    "재활용 선별시설 확충 비용의 분담 원칙을 시민에게 먼저 설명한다. (데모 제언)",
]


def seed_outcomes(deliberation: Deliberation) -> None:
    """Synthetic attendance and two recommendations per group, with members' support; the
    plenary's attendance.

    Who comes follows the demo's drop-outs (panels.demo.takes_part: some have left by then,
    a few miss the one session); the rest is drawn from a generator seeded by the group's
    name, so the demo report is the same every time it is built.
    """
    seats = {
        user_id: (pseudonym, age_band)
        for user_id, pseudonym, age_band in Panelist.objects.active()
        .filter(deliberation=deliberation)
        .values_list("user_id", "pseudonym", "age_band")
    }

    def comes(user, step: str) -> bool:
        return user.pk in seats and takes_part(*seats[user.pk], step)

    groups = ForumGroup.objects.filter(session__deliberation=deliberation).select_related(
        "session", "facilitator"
    )
    for group in groups.prefetch_related("members"):
        room = group_room(group)
        if group.facilitator is None or GroupRecommendation.objects.filter(room=room).exists():
            continue
        rng = random.Random(f"demo-{group.name}")
        members = list(group.members.order_by("username"))
        came = [member for member in members if comes(member, "regional")]
        start = group.session.starts_at
        Attendance.objects.bulk_create(
            [
                Attendance(
                    room=room,
                    user=member,
                    channel_name="demo",
                    joined_at=start,
                    last_seen_at=group.session.ends_at,
                    left_at=group.session.ends_at,
                )
                for member in came
            ]
        )
        for text in rng.sample(SYNTHETIC_RECOMMENDATIONS, 2):
            event = do_add_recommendation(room.pk, group.facilitator, text)
            share = rng.uniform(0.4, 0.95)
            for member in came:
                if rng.random() < share:
                    do_support_recommendation(
                        room.pk, member, event.payload["recommendation"]["id"], True
                    )
        RoomEvent.objects.filter(room=room, kind="recommendation").update(is_synthetic=True)
    plenary = deliberation.sessions.filter(kind=Session.Kind.PLENARY).first()
    if plenary is None:
        return
    room = plenary_room(plenary)
    if Attendance.objects.filter(room=room).exists():
        return
    users = get_user_model().objects.filter(pk__in=list(seats)).order_by("pk")
    Attendance.objects.bulk_create(
        [
            Attendance(
                room=room,
                user=user,
                channel_name="demo",
                joined_at=plenary.starts_at,
                last_seen_at=plenary.ends_at,
                left_at=plenary.ends_at,
            )
            for user in users
            if comes(user, "plenary")
        ]
    )


def seed_forum(deliberation: Deliberation) -> None:
    """Materials for every session, a room per group with a little synthetic chat history,
    and the plenary's room with two questions to the experts."""
    for session in deliberation.sessions.all():
        for order, (title, body) in enumerate(MATERIALS, start=1):
            Material.objects.get_or_create(
                session=session,
                title=title,
                defaults={"body": body, "order": order, "public": True},
            )
    groups = ForumGroup.objects.filter(session__deliberation=deliberation).select_related("session")
    for group in groups.prefetch_related("members"):
        room = group_room(group)
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
        room = plenary_room(plenary)
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


# Synthetic statements for the opinion map: (text, chance of agreeing per latent camp:
# 감량 우선, 시설 수용과 보상, 입지 반대와 지역 형평). Rejected ones carry their reason.
CAMPS = ("reduce", "accept", "oppose")
CAMP_BY_REGION = {
    "도심권": (0.5, 0.3, 0.2),
    "동북권": (0.35, 0.35, 0.3),
    "서북권": (0.4, 0.3, 0.3),
    "서남권": (0.3, 0.3, 0.4),
    "동남권": (0.25, 0.25, 0.5),
}
DEMO_STATEMENTS: list[tuple[str, tuple[float, float, float]]] = [
    ("새 소각시설을 짓기 전에 쓰레기 감량 목표부터 세워야 한다. (데모)", (0.95, 0.4, 0.8)),
    ("광역 자원회수시설은 서울에 꼭 필요하다. (데모)", (0.3, 0.95, 0.1)),
    ("시설 주변 주민에게 관리비 감면 같은 직접 지원을 해야 한다. (데모)", (0.6, 0.95, 0.5)),
    ("입지는 이미 시설이 있는 자치구를 빼고 정해야 한다. (데모)", (0.6, 0.3, 0.95)),
    ("다회용기 보급을 시가 지원해야 한다. (데모)", (0.95, 0.6, 0.7)),
    ("대기질 측정 결과를 실시간으로 공개해야 한다. (데모)", (0.9, 0.9, 0.95)),
    ("소각보다 매립을 늘리는 것이 낫다. (데모)", (0.1, 0.1, 0.3)),
    ("시설을 지하화하면 주민 반대가 줄어들 것이다. (데모)", (0.3, 0.9, 0.2)),
    ("입지 선정 과정에 주민 대표가 처음부터 참여해야 한다. (데모)", (0.8, 0.7, 0.95)),
    ("분리배출을 지키지 않으면 과태료를 높여야 한다. (데모)", (0.9, 0.5, 0.4)),
    ("재활용 선별시설을 늘리면 소각시설은 필요 없다. (데모)", (0.85, 0.1, 0.6)),
    ("시설이 들어서는 자치구에 편의시설을 함께 지어야 한다. (데모)", (0.5, 0.9, 0.3)),
    ("쓰레기 처리 비용은 배출한 만큼 내야 한다. (데모)", (0.85, 0.6, 0.5)),
    ("한 자치구에 시설을 몰아주는 것은 불공평하다. (데모)", (0.6, 0.2, 0.95)),
    ("음식물 쓰레기 감량에 공동주택 단지별 목표를 둔다. (데모)", (0.9, 0.6, 0.6)),
    ("소각 열을 지역난방에 쓰면 주민에게 이익이다. (데모)", (0.4, 0.9, 0.2)),
    ("다른 시·도와 함께 시설을 쓰는 방안을 찾아야 한다. (데모)", (0.5, 0.4, 0.85)),
    ("일회용품 사용을 줄이는 규제를 강화해야 한다. (데모)", (0.95, 0.5, 0.6)),
    ("입지 결정은 전문가에게 맡기는 편이 낫다. (데모)", (0.2, 0.6, 0.05)),
    ("시민 교육과 홍보에 예산을 더 써야 한다. (데모)", (0.85, 0.7, 0.75)),
    ("시설 운영을 주민 감시단이 점검해야 한다. (데모)", (0.75, 0.8, 0.95)),
    ("서울의 쓰레기는 서울 안에서 처리해야 한다. (데모)", (0.6, 0.85, 0.35)),
]
DEMO_REJECTED: list[tuple[str, str]] = [
    ("저 구청장은 물러나라! (데모)", "토론 주제와 관계없는 개인 비난입니다."),
    ("소각장은 우리 동네만 빼고 아무 데나. (데모)", "다른 지역 주민을 배제하는 표현입니다."),
    ("010-0000-0000으로 연락 주세요. (데모)", "개인 연락처는 올릴 수 없습니다."),
]
# The regional forum's first group voted on a few of the same statements first.
REGIONAL_STATEMENTS = (0, 1, 2, 3, 5, 8, 10, 13, 15, 18)


def _camp(pseudonym: str, region: str) -> int:
    """A seat's latent camp, drawn from its region's shares and fixed by its pseudonym."""
    rng = random.Random(f"gongnon-demo-camp:{pseudonym}")
    weights = CAMP_BY_REGION.get(region, (1 / 3, 1 / 3, 1 / 3))
    return rng.choices(range(len(CAMPS)), weights=weights)[0]


def _seed_room_statements(
    room: Room,
    voters: list[tuple[int, str, str]],
    texts: list[tuple[str, tuple[float, float, float]]],
    rejected: list[tuple[str, str]],
    moderator,
    start: datetime.datetime,
) -> None:
    """Statements, rejections and every voter's votes, inserted in bulk; then the kept map."""
    if not voters or Statement.objects.filter(room=room).exists():
        return
    rng = random.Random(f"gongnon-demo-statements:{room.pk}")
    moderated_at = start + datetime.timedelta(minutes=20)
    authors = [user_id for user_id, _, _ in voters]
    statements = Statement.objects.bulk_create(
        [
            Statement(
                room=room,
                author_id=authors[i % len(authors)],
                text=text,
                status=Statement.Status.ACCEPTED,
                moderated_by=moderator,
                moderated_at=moderated_at,
                created_at=start + datetime.timedelta(minutes=i),
                is_synthetic=True,
            )
            for i, (text, _) in enumerate(texts)
        ]
        + [
            Statement(
                room=room,
                author_id=authors[(i * 7 + 3) % len(authors)],
                text=text,
                status=Statement.Status.REJECTED,
                rejection_reason=reason,
                moderated_by=moderator,
                moderated_at=moderated_at,
                created_at=start + datetime.timedelta(minutes=i),
                is_synthetic=True,
            )
            for i, (text, reason) in enumerate(rejected)
        ]
    )
    votes = []
    for user_id, pseudonym, region in voters:
        camp = _camp(pseudonym, region)
        for statement, (_, chances) in zip(statements, texts, strict=False):
            if rng.random() < 0.15:
                continue
            roll = rng.random()
            value = 0 if roll < 0.08 else (1 if rng.random() < chances[camp] else -1)
            moment = moderated_at + datetime.timedelta(seconds=rng.randrange(1, 7200))
            votes.append(
                StatementVote(
                    statement=statement,
                    voter_id=user_id,
                    value=value,
                    created_at=moment,
                    updated_at=moment,
                    is_synthetic=True,
                )
            )
    StatementVote.objects.bulk_create(votes, batch_size=2000)
    do_refresh_opinion_map(room.pk)


def seed_statements(deliberation: Deliberation) -> None:
    """The plenary's statements and votes (and first a regional group's), all synthetic:
    each seat belongs to a latent camp drawn from its region's shares, and votes as its camp
    tends to, so the map finds the camps again. The maps are kept as the live room keeps them.
    """
    seats = list(
        Panelist.objects.active()
        .filter(deliberation=deliberation)
        .order_by("user_id")
        .values_list("user_id", "pseudonym", "region", "age_band")
    )
    regional_group = (
        ForumGroup.objects.filter(
            session__deliberation=deliberation, session__kind=Session.Kind.REGIONAL_FORUM
        )
        .select_related("session", "facilitator")
        .order_by("session__starts_at", "number", "pk")
        .first()
    )
    if regional_group is not None:
        room = group_room(regional_group)
        Room.objects.filter(pk=room.pk).update(statements_enabled=True)
        members = set(regional_group.members.values_list("pk", flat=True))
        _seed_room_statements(
            room,
            [
                (user_id, pseudonym, region)
                for user_id, pseudonym, region, age_band in seats
                if user_id in members and takes_part(pseudonym, age_band, "regional")
            ],
            [DEMO_STATEMENTS[i] for i in REGIONAL_STATEMENTS],
            DEMO_REJECTED[:1],
            regional_group.facilitator,
            regional_group.session.starts_at + datetime.timedelta(hours=1),
        )
    plenary = deliberation.sessions.filter(kind=Session.Kind.PLENARY).first()
    if plenary is not None:
        _seed_room_statements(
            plenary_room(plenary),
            [
                (user_id, pseudonym, region)
                for user_id, pseudonym, region, age_band in seats
                if takes_part(pseudonym, age_band, "plenary")
            ],
            DEMO_STATEMENTS,
            DEMO_REJECTED,
            plenary.moderator,
            plenary.starts_at + datetime.timedelta(hours=1),
        )
