"""The demo's public page: published, with recommendations at several tracking stages.

Every answer and department below is synthetic, like the rest of the demo; the public page
says so. The same recommendations get the same answers each time the demo is built.
"""

from __future__ import annotations

import datetime
from typing import Any

from deliberation.core.access import department_of, same_department
from deliberation.core.models import Deliberation
from deliberation.forum.models import GroupRecommendation
from deliberation.report.actions import do_set_publication, do_update_recommendation_status
from deliberation.report.models import PUBLIC_PARTS, Licence, RecommendationResponse

# Each tracked recommendation's history: (status, days after the plenary, department, text).
HISTORIES: tuple[tuple[tuple[str, int, str, str], ...], ...] = (
    (
        ("received", 14, "자원순환과", "권고안을 접수했습니다."),
        ("under_review", 45, "자원순환과", "관계 부서와 함께 검토하고 있습니다."),
        ("accepted", 90, "자원순환과", "2022년 업무계획에 반영했습니다."),
        ("implemented", 240, "자원순환과", "시행을 마치고 결과를 누리집에 공개했습니다."),
    ),
    (
        ("received", 14, "시민소통과", "권고안을 접수했습니다."),
        ("under_review", 45, "시민소통과", "예산과 일정을 검토하고 있습니다."),
        ("partly_accepted", 120, "시민소통과", "일부 권역에서 먼저 시범 운영합니다."),
    ),
    (
        ("received", 14, "도시계획과", "권고안을 접수했습니다."),
        ("rejected", 100, "도시계획과", "관련 법령상 시가 결정할 수 없는 사항입니다."),
    ),
    (
        ("received", 14, "자원순환과", "권고안을 접수했습니다."),
        ("under_review", 60, "자원순환과", "전문가 자문을 받고 있습니다."),
    ),
    (("received", 14, "재정기획관", "권고안을 접수했습니다."),),
    (
        ("received", 14, "자원순환과", "권고안을 접수했습니다."),
        ("accepted", 75, "자원순환과", "주민 설명회 개최를 확정했습니다."),
    ),
)


def seed_publication(deliberation: Deliberation, organizer: Any, officer: Any = None) -> None:
    """Publish the demo's public page and answer some of its recommendations.

    The organizer assigns each answered recommendation to its department (its "received"
    step); the later answers of the officer's own department are recorded by the officer,
    those of the departments without a demo account by the organizer.
    """
    own = department_of(officer, deliberation) if officer is not None else ""
    do_set_publication(
        deliberation,
        published=True,
        parts=dict.fromkeys(PUBLIC_PARTS, True),
        licence=Licence.KOGL_1,
        publish_microdata=False,
        actor=organizer,
    )
    if RecommendationResponse.objects.filter(deliberation=deliberation).exists():
        return
    plenary = deliberation.sessions.order_by("-starts_at").values_list("starts_at", flat=True)
    start = (plenary.first() or datetime.datetime(2021, 10, 30)).date()
    recommendations = list(
        GroupRecommendation.objects.filter(room__session__deliberation=deliberation)
        .order_by("room__session__starts_at", "room__group__name", "created_at", "pk")
        .values_list("pk", flat=True)
    )
    # Every third recommendation is answered; the others still await the city's answer.
    for history, pk in zip(HISTORIES * 3, recommendations[::3], strict=False):
        for step, (status, days, department, text) in enumerate(history):
            answers_itself = step > 0 and same_department(department, own)
            do_update_recommendation_status(
                deliberation,
                pk,
                status=status,
                response=text,
                department=department,
                responded_on=start + datetime.timedelta(days=days),
                actor=officer if answers_itself else organizer,
            )
