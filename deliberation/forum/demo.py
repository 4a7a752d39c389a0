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
                session=session, title=title, defaults={"body": body, "order": order}
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
