"""The organizer's list pages cost the same queries for a panel of 10 as for one of 1,000
(the design's upper column), so none of them runs a query per volunteer or per seat."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deliberation.core.models import Membership
from tests.factories import DeliberationFactory
from tests.panel_builder import add_panel, page_queries

PAGES = ("panels:pool", "panels:panel", "panels:confirmations", "panels:contacts")


@pytest.fixture
def deliberation_of(organizer):
    deliberation = DeliberationFactory()
    Membership.objects.get_or_create(
        deliberation=deliberation, user=organizer, role="organizer", defaults={}
    )
    Membership.objects.filter(deliberation=deliberation, user=organizer).update(sees_contacts=True)
    return deliberation


@pytest.mark.parametrize("page", PAGES)
def test_list_page_queries_do_not_grow_from_10_to_1000_panelists(
    client, organizer, deliberation_of, page
):
    client.force_login(organizer)
    url = reverse(page, args=[deliberation_of.slug])
    add_panel(deliberation_of, 10, actor=organizer)
    few = page_queries(client, url)
    add_panel(deliberation_of, 990, actor=organizer)
    many = page_queries(client, url)
    assert len(many) == len(few), "\n".join(many)
