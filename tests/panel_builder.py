"""A panel of any size in a few bulk inserts, for the tests that a page's queries do not
grow with the panel (1,000 panelists, the design's upper column)."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deliberation.core.models import Profile
from deliberation.forum.models import ForumGroup, Session
from panels.models import Panelist, SeatContact, Volunteer, VolunteerContact

REGIONS = ("도심권", "동북권", "서북권", "서남권", "동남권")
GENDERS = ("남성", "여성")
AGES = ("18-29", "30-39", "40-49", "50-59", "60+")
STRATA_KEYS = ("region", "gender", "age_band")
STATUSES = (
    Panelist.Status.CONFIRMED,
    Panelist.Status.CONFIRMED,
    Panelist.Status.INVITED,
    Panelist.Status.DECLINED,
    Panelist.Status.DRAWN,
)

ANSWERED = (Panelist.Status.CONFIRMED, Panelist.Status.DECLINED)


def status_of(number: int) -> str:
    return STATUSES[number % len(STATUSES)]


def add_panel(deliberation, n: int, *, actor=None) -> list[Panelist]:
    """Seat ``n`` more synthetic people: a volunteer with contacts, an account, a seat in a
    mix of statuses, and a contact log of an invitation (and an answer where there is one)."""
    User = get_user_model()
    start = Panelist.objects.filter(deliberation=deliberation).count()
    numbers = range(start + 1, start + n + 1)
    tag = f"d{deliberation.pk}"
    users = User.objects.bulk_create(
        [User(username=f"{tag}-p{i:05d}", email=f"{tag}-p{i:05d}@example.org") for i in numbers]
    )
    kinds = list(itertools.product(REGIONS, GENDERS, AGES))
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                deliberation=deliberation,
                external_id=f"V{i:06d}",
                record_id=f"R{i:06d}",
                source=Volunteer.Source.IMPORT,
                status=Volunteer.Status.SELECTED,
                features=dict(
                    zip(("region", "gender", "age_band"), kinds[i % len(kinds)], strict=True)
                ),
            )
            for i in numbers
        ]
    )
    VolunteerContact.objects.bulk_create(
        [
            VolunteerContact(
                volunteer=v,
                name=f"시민 {v.external_id}",
                email=f"{v.external_id.lower()}@example.org",
                email_key=f"{v.external_id.lower()}@example.org",
                phone=f"010-0000-{i % 10000:04d}",
                phone_key=f"0100000{i % 10000:04d}",
            )
            for i, v in zip(numbers, volunteers, strict=True)
        ]
    )
    Profile.objects.bulk_create(
        [Profile(user=u, seat_number=i) for i, u in zip(numbers, users, strict=True)]
    )
    now = timezone.now()
    seats = Panelist.objects.bulk_create(
        [
            Panelist(
                deliberation=deliberation,
                user=u,
                volunteer=v,
                pseudonym=f"P{i:05d}",
                draw_position=i,
                region=v.features["region"],
                gender=v.features["gender"],
                age_band=v.features["age_band"],
                status=status_of(i),
                invited_at=None if status_of(i) == Panelist.Status.DRAWN else now,
                responded_at=now if status_of(i) in ANSWERED else None,
            )
            for i, u, v in zip(numbers, users, volunteers, strict=True)
        ]
    )
    log = []
    for seat in seats:
        if seat.status == Panelist.Status.DRAWN:
            continue
        log.append(
            SeatContact(
                panelist=seat,
                kind=SeatContact.Kind.INVITATION,
                channel=SeatContact.Channel.EMAIL,
                actor=actor,
                at=now - datetime.timedelta(days=3),
            )
        )
        if seat.status in ANSWERED:
            log.append(
                SeatContact(
                    panelist=seat,
                    kind=seat.status,
                    channel=SeatContact.Channel.PHONE,
                    actor=actor,
                    reason="일정" if seat.status == Panelist.Status.DECLINED else "",
                    at=now,
                )
            )
    SeatContact.objects.bulk_create(log)
    return seats


def seat_in_groups(session: Session, seats: list[Panelist], size: int = 10) -> list[ForumGroup]:
    """Put the active seats into numbered groups of ``size`` (as the allocation would)."""
    active = [s for s in seats if s.is_active]
    groups = ForumGroup.objects.bulk_create(
        [
            ForumGroup(session=session, name=f"{k + 1:02d}", number=k + 1)
            for k in range((len(active) + size - 1) // size)
        ]
    )
    through = ForumGroup.members.through
    through.objects.bulk_create(
        [through(forumgroup=groups[k // size], user_id=s.user_id) for k, s in enumerate(active)]
    )
    return groups


def page_queries(client, url: str) -> list[str]:
    """The SQL of every query one GET of the page runs (the page must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]
