"""The structured margins form, the CSV template and the regions margins may name."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panels import actions
from panels.margins import Margin
from panels.models import PopulationMargin
from tests.factories import DeliberationFactory

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def deliberation(db):
    deliberation = DeliberationFactory()
    actions.do_add_region(deliberation, "도심권", "Central", ["종로구"], actor=None)
    actions.do_add_region(deliberation, "동남권", "Southeast", ["강남구"], actor=None)
    return deliberation


def url(deliberation, name="panels:margins") -> str:
    return reverse(name, kwargs={"slug": deliberation.slug})


def shares(deliberation) -> dict[tuple[str, str], Decimal]:
    return {
        (m.feature, m.value): m.share
        for m in PopulationMargin.objects.filter(deliberation=deliberation)
    }


# Features in the form's order: region (도심권, 동남권), gender (남성, 여성), age band (five).
def post_shares(client, deliberation, region, gender):
    data = {"action": "shares"}
    for j, share in enumerate(region):
        data[f"shares-share-0-{j}"] = share
    for j, share in enumerate(gender):
        data[f"shares-share-1-{j}"] = share
    return client.post(url(deliberation), data, **ENGLISH)


def test_the_shares_form_saves_each_features_shares(client, organizer, deliberation):
    client.force_login(organizer)
    response = post_shares(client, deliberation, ["40", "60"], ["48.5", "51.5"])
    assert response.status_code == 302
    assert shares(deliberation) == {
        ("region", "도심권"): Decimal("0.4"),
        ("region", "동남권"): Decimal("0.6"),
        ("gender", "남성"): Decimal("0.485"),
        ("gender", "여성"): Decimal("0.515"),
    }


def test_rounded_shares_within_half_a_point_are_scaled_to_one(client, organizer, deliberation):
    client.force_login(organizer)
    assert post_shares(client, deliberation, ["33.3", "66.6"], []).status_code == 302
    assert sum(shares(deliberation).values()) == pytest.approx(Decimal(1), abs=Decimal("1e-7"))


def test_a_feature_not_adding_up_to_100_is_refused_and_nothing_is_saved(
    client, organizer, deliberation
):
    PopulationMargin.objects.create(
        deliberation=deliberation, feature="region", value="도심권", share=1
    )
    client.force_login(organizer)
    response = post_shares(client, deliberation, ["40", "60"], ["48", "50"])
    assert response.status_code == 400
    assert "The shares of Gender add up to 98.0%" in response.content.decode()
    assert shares(deliberation) == {("region", "도심권"): Decimal(1)}


def test_the_csv_template_round_trips_through_the_upload(client, organizer, deliberation):
    actions.do_replace_margins(
        deliberation,
        [
            Margin("region", "도심권", 0.4),
            Margin("region", "동남권", 0.6, 1200),
            Margin("gender", "남성", 0.485),
            Margin("gender", "여성", 0.515),
            Margin("age_band", "18-59", 0.7),
            Margin("age_band", "60+", 0.3),
        ],
        actor=None,
    )
    before = shares(deliberation)
    client.force_login(organizer)
    template = client.get(url(deliberation, "panels:margins_template"))
    assert template["Content-Type"].startswith("text/csv")
    text = template.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "feature,value,share,population,label"
    assert "region,동남권,0.6,1200,동남권 (Southeast)" in text
    assert "age_band,60+,0.3,,60세 이상 (60 and over)" in text
    PopulationMargin.objects.filter(deliberation=deliberation).delete()
    upload = SimpleUploadedFile("margins.csv", template.content, "text/csv")
    assert client.post(url(deliberation), {"file": upload}).status_code == 302
    assert shares(deliberation) == before
    assert deliberation.margins.get(value="동남권").population == 1200


def test_the_csv_template_of_a_new_deliberation_lists_its_regions_and_the_common_categories(
    client, organizer, deliberation
):
    client.force_login(organizer)
    text = client.get(url(deliberation, "panels:margins_template")).content.decode("utf-8-sig")
    rows = [line.split(",")[:2] for line in text.splitlines()[1:]]
    assert rows[:4] == [
        ["region", "도심권"],
        ["region", "동남권"],
        ["gender", "남성"],
        ["gender", "여성"],
    ]
    assert ["age_band", "60+"] in rows


def test_a_margins_file_naming_an_unknown_region_is_refused(client, organizer, deliberation):
    client.force_login(organizer)
    text = "feature,value,share\nregion,도심권,0.5\nregion,부산권,0.5\n"
    response = client.post(url(deliberation), {"text": text}, **ENGLISH)
    assert response.status_code == 400
    assert "부산권 is not one of the deliberation&#x27;s regions" in response.content.decode()
    assert not PopulationMargin.objects.filter(deliberation=deliberation).exists()
