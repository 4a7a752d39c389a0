"""A published deliberation with a drawn panel, a group, recommendations and answers."""

from __future__ import annotations

import datetime

import pytest

from deliberation.core.roles import Role
from deliberation.report.actions import do_set_publication, do_update_recommendation_status
from deliberation.report.models import PUBLIC_PARTS
from tests.factories import (
    ForumGroupFactory,
    PanelistFactory,
    StageFactory,
    UserFactory,
    join,
    recommendation_of,
)

ALL_PARTS = dict.fromkeys(PUBLIC_PARTS, True)


def publish(deliberation, organizer, **parts) -> None:
    do_set_publication(
        deliberation,
        published=True,
        parts={**ALL_PARTS, **parts},
        licence="CC-BY-4.0",
        publish_microdata=False,
        actor=organizer,
    )


def build_public() -> dict:
    """A deliberation, its organizer, three panelists, a group and two recommendations
    (the first answered twice), published with every part."""
    stage = StageFactory(deliberation__description="시민의 의견을 묻습니다.")
    deliberation = stage.deliberation
    organizer = UserFactory(role=Role.ORGANIZER, first_name="길동", last_name="홍")
    join(organizer, deliberation, Role.ORGANIZER)
    facilitator = UserFactory(role=Role.FACILITATOR)
    join(facilitator, deliberation, Role.FACILITATOR)
    seats = [PanelistFactory(deliberation=deliberation) for _ in range(3)]
    members = [seat.user for seat in seats]
    group = ForumGroupFactory(
        session__deliberation=deliberation, facilitator=facilitator, members=members
    )
    first = recommendation_of(group, "소각장 부지 선정 과정을 공개한다", members[:2])
    second = recommendation_of(group, "주민 감시단을 구성한다", members[:1])
    do_update_recommendation_status(
        deliberation,
        first.pk,
        status="received",
        response="",
        department="자원순환과",
        responded_on=datetime.date(2026, 1, 5),
        actor=organizer,
    )
    do_update_recommendation_status(
        deliberation,
        first.pk,
        status="accepted",
        response="2026년 예산에 반영합니다.",
        department="자원순환과",
        responded_on=datetime.date(2026, 2, 1),
        actor=organizer,
    )
    publish(deliberation, organizer)
    return {
        "deliberation": deliberation,
        "organizer": organizer,
        "facilitator": facilitator,
        "seats": seats,
        "group": group,
        "recommendations": [first, second],
    }


@pytest.fixture
def public(db):
    return build_public()
