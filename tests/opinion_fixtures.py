"""A room whose panelists split into two camps over statements, for the opinion map's
exports and report: camp A agrees with the first half of the statements and disagrees with
the second, camp B the other way round, and every one agrees with the last statement."""

from __future__ import annotations

import datetime

from django.utils import timezone

from deliberation.forum.actions import do_refresh_opinion_map
from deliberation.forum.models import Room, Statement, StatementVote
from panels.models import Panelist
from tests.factories import PanelistFactory

TEXTS = [f"주장 {i}: 소각장 입지에 관한 의견" for i in range(8)] + ["모두 분리배출을 지키자"]


def camps_room(
    room: Room,
    *,
    per_camp: int = 10,
    panelists: list[Panelist] | None = None,
    regions: tuple[str, str] = ("도심권", "동남권"),
) -> list[Panelist]:
    """Give the room accepted statements, a rejected one, two camps' votes and a kept map.

    Camp A are the first ``per_camp`` panelists (region ``regions[0]``), camp B the rest.
    """
    deliberation = room.session.deliberation
    if panelists is None:
        panelists = [
            PanelistFactory(
                deliberation=deliberation,
                region=regions[0] if i < per_camp else regions[1],
                gender="여성" if i % 2 else "남성",
                age_band="30-39" if i % 3 else "60+",
            )
            for i in range(2 * per_camp)
        ]
    start = timezone.now() - datetime.timedelta(hours=1)
    statements = [
        Statement.objects.create(
            room=room,
            author=panelists[i % len(panelists)].user,
            text=text,
            status=Statement.Status.ACCEPTED,
            created_at=start,
        )
        for i, text in enumerate(TEXTS)
    ]
    Statement.objects.create(
        room=room,
        author=panelists[0].user,
        text="욕설이 담긴 주장",
        status=Statement.Status.REJECTED,
        rejection_reason="다른 참여자를 비난하는 표현",
    )
    votes = []
    for index, panelist in enumerate(panelists):
        camp_a = index < len(panelists) // 2
        for j, statement in enumerate(statements):
            if j == len(statements) - 1:
                value = 1
            else:
                first_half = j < (len(statements) - 1) // 2
                value = 1 if first_half == camp_a else -1
            if (index + j) % 7 == 0:
                value = 0
            moment = start + datetime.timedelta(seconds=index * 20 + j)
            votes.append(
                StatementVote(
                    statement=statement,
                    voter=panelist.user,
                    value=value,
                    created_at=moment,
                    updated_at=moment,
                )
            )
    StatementVote.objects.bulk_create(votes)
    do_refresh_opinion_map(room.pk)
    return panelists
