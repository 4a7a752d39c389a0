"""The organizer's regions page: add, rename, reorder, delete while unused; the migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from panels import actions
from panels.models import PanelQuota, PopulationMargin, Volunteer
from tests.factories import DeliberationFactory


@pytest.fixture
def deliberation(db):
    deliberation = DeliberationFactory()
    actions.do_add_region(deliberation, "도심권", "Central", ["종로구", "중구"], actor=None)
    actions.do_add_region(deliberation, "동남권", "Southeast", ["강남구"], actor=None)
    return deliberation


def url(deliberation) -> str:
    return reverse("panels:regions", kwargs={"slug": deliberation.slug})


def names(deliberation) -> list[str]:
    return list(deliberation.regions.order_by("order").values_list("name", flat=True))


ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def save(client, region, name, districts=""):
    prefix = f"region-{region.pk}"
    return client.post(
        url(region.deliberation),
        {
            "action": "save",
            "region": region.pk,
            f"{prefix}-name": name,
            f"{prefix}-districts": districts,
        },
        **ENGLISH,
    )


def test_the_regions_page_lists_regions_with_their_districts(client, organizer, deliberation):
    client.force_login(organizer)
    html = client.get(url(deliberation)).content.decode()
    assert "도심권" in html and "종로구\n중구" in html and "Southeast" in html


def test_renaming_a_region_renames_its_margins_and_quotas(client, organizer, deliberation):
    central = deliberation.regions.get(name="도심권")
    PopulationMargin.objects.create(
        deliberation=deliberation, feature="region", value="도심권", share=1
    )
    PanelQuota.objects.create(
        deliberation=deliberation, feature="region", value="도심권", min=1, max=2
    )
    client.force_login(organizer)
    assert save(client, central, "중심권", "종로구").status_code == 302
    assert names(deliberation) == ["중심권", "동남권"]
    assert deliberation.margins.get().value == "중심권"
    assert deliberation.quotas.get().value == "중심권"
    assert list(central.districts.values_list("name", flat=True)) == ["종로구"]


def test_a_region_volunteers_are_in_keeps_its_name(client, organizer, deliberation):
    central = deliberation.regions.get(name="도심권")
    Volunteer.objects.create(
        deliberation=deliberation, external_id="V1", record_id="r1", features={"region": "도심권"}
    )
    client.force_login(organizer)
    response = save(client, central, "중심권")
    assert response.status_code == 400
    assert (
        "1 volunteer in the pool" in response.content.decode() or "1" in response.content.decode()
    )
    assert names(deliberation) == ["도심권", "동남권"]
    assert central.districts.count() == 2


def test_moving_a_region_up_puts_it_first(client, organizer, deliberation):
    southeast = deliberation.regions.get(name="동남권")
    client.force_login(organizer)
    client.post(url(deliberation), {"action": "up", "region": southeast.pk})
    assert names(deliberation) == ["동남권", "도심권"]


def test_an_unused_region_is_deleted_with_its_districts(client, organizer, deliberation):
    southeast = deliberation.regions.get(name="동남권")
    client.force_login(organizer)
    assert (
        client.post(url(deliberation), {"action": "delete", "region": southeast.pk}).status_code
        == 302
    )
    assert names(deliberation) == ["도심권"]
    assert not deliberation.districts.filter(name="강남구").exists()


def test_a_region_in_the_margins_is_not_deleted(client, organizer, deliberation):
    southeast = deliberation.regions.get(name="동남권")
    PopulationMargin.objects.create(
        deliberation=deliberation, feature="region", value="동남권", share=1
    )
    client.force_login(organizer)
    response = client.post(url(deliberation), {"action": "delete", "region": southeast.pk})
    assert response.status_code == 400
    assert names(deliberation) == ["도심권", "동남권"]


def test_a_district_of_another_region_is_refused_and_nothing_is_saved(
    client, organizer, deliberation
):
    client.force_login(organizer)
    response = client.post(
        url(deliberation),
        {"action": "add", "new-name": "서북권", "new-districts": "마포구, 강남구"},
    )
    assert response.status_code == 400
    assert "강남구" in response.content.decode()
    assert names(deliberation) == ["도심권", "동남권"]
    assert not deliberation.districts.filter(name="마포구").exists()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_deliberations_regions():
    old = migrate(
        [
            ("panels", "0004_seat_drawn_until_invited"),
            ("surveys", "0007_open_link_limits_and_quality_flags"),
        ]
    )
    # The deliberation app is not migrated back: its rows are made with today's model.
    seoul = old.get_model("deliberation", "Deliberation").objects.get(
        pk=DeliberationFactory(slug="seoul").pk
    )
    RegionDistrict = old.get_model("surveys", "RegionDistrict")
    for order, (region, district) in enumerate(
        [("동북권", "노원구"), ("도심권", "종로구"), ("도심권", "중구")]
    ):
        RegionDistrict.objects.create(
            deliberation=seoul, region=region, district=district, order=order
        )
    old.get_model("panels", "PopulationMargin").objects.create(
        deliberation=seoul, feature="region", value="동남권", share=1
    )
    DeliberationFactory(slug="empty")
    try:
        new = migrate([("surveys", "0008_region_districts_moved_to_panels")])
        NewRegion = new.get_model("panels", "Region")
        regions = NewRegion.objects.filter(deliberation__slug="seoul").order_by("order")
        assert [(r.name, r.name_en) for r in regions] == [
            ("동북권", "Northeast"),
            ("도심권", "Central"),
            ("동남권", "Southeast"),
        ]
        districts = new.get_model("panels", "District").objects.order_by("order")
        assert [(d.name, d.region.name) for d in districts] == [
            ("노원구", "동북권"),
            ("종로구", "도심권"),
            ("중구", "도심권"),
        ]
        assert not NewRegion.objects.filter(deliberation__slug="empty").exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
