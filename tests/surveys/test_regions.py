"""The regions an organizer edits on the regions page are what poll imports accept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panels.models import Region
from surveys import imports
from surveys.poll_files import read_table
from tests.surveys.test_imports import GOOD, MAPPING, csv_bytes

pytestmark = pytest.mark.django_db

BUSAN_ROW = ["F009", "해운대구", *GOOD[0][2:]]


def bad_districts(wave, rows) -> list[str]:
    table = read_table("firm.csv", csv_bytes(rows))
    validation, _index = imports.validate(wave, table, MAPPING)
    return [bad.value for bad in validation.bad]


def regions_url(wave) -> str:
    return reverse("panels:regions", kwargs={"slug": wave.deliberation.slug})


def test_a_region_added_on_the_regions_page_is_accepted_by_the_import(client, organizer, wave):
    assert bad_districts(wave, [BUSAN_ROW]) == ["해운대구"]
    client.force_login(organizer)
    response = client.post(
        regions_url(wave),
        {
            "action": "add",
            "new-name": "부산권",
            "new-name_en": "Busan",
            "new-districts": "해운대구",
        },
    )
    assert response.status_code == 302
    assert bad_districts(wave, [BUSAN_ROW]) == []


def test_a_district_taken_from_a_region_on_the_page_is_refused_by_the_import(
    client, organizer, wave
):
    assert bad_districts(wave, GOOD) == []
    region = Region.objects.get(deliberation=wave.deliberation, name="서북권")
    client.force_login(organizer)
    prefix = f"region-{region.pk}"
    response = client.post(
        regions_url(wave),
        {
            "action": "save",
            "region": region.pk,
            f"{prefix}-name": "서북권",
            f"{prefix}-districts": "은평구, 서대문구",
        },
    )
    assert response.status_code == 302
    assert bad_districts(wave, GOOD) == ["마포구"]
