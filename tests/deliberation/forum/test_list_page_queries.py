"""The forum's list pages cost the same queries for a panel of 10 as for one of 1,000 in
100 groups (the design's upper column)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deliberation.core.models import Membership
from deliberation.forum.actions import do_open_rooms
from deliberation.forum.models import ForumGroup
from tests.factories import DeliberationFactory, SessionFactory
from tests.panel_builder import add_panel, page_queries, seat_in_groups


@pytest.fixture
def session_of(organizer):
    deliberation = DeliberationFactory()
    Membership.objects.get_or_create(deliberation=deliberation, user=organizer, role="organizer")
    return SessionFactory(deliberation=deliberation)


def grow(session, n: int, actor) -> None:
    ForumGroup.objects.filter(session=session).delete()
    add_panel(session.deliberation, n, actor=actor)
    seats = list(session.deliberation.panelists.all())
    seat_in_groups(session, seats)
    do_open_rooms(session)


@pytest.mark.parametrize(
    "page",
    [
        ("forum:allocation", lambda s: [s.pk]),
        ("forum:fees", lambda s: [s.deliberation.slug]),
        ("forum:export", lambda s: [s.pk, "attendance", "csv"]),
        ("forum:fees_export", lambda s: [s.deliberation.slug, "csv"]),
    ],
    ids=lambda p: p[0],
)
def test_forum_list_page_queries_do_not_grow_from_10_to_1000_panelists(
    client, organizer, session_of, page
):
    name, args = page
    client.force_login(organizer)
    Membership.objects.get_or_create(
        deliberation=session_of.deliberation, user=organizer, role="analyst"
    )
    url = reverse(name, args=args(session_of))
    grow(session_of, 10, organizer)
    few = page_queries(client, url)
    grow(session_of, 990, organizer)
    many = page_queries(client, url)
    assert len(many) == len(few), "\n".join(many)
