"""Pages show the words for features and categories, never their keys, in both languages."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from panels.labels import StrataLabels
from panels.models import PopulationMargin
from tests.factories import DeliberationFactory

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}


def visible_text(response) -> str:
    """The page's text without tags and attribute values (keys may sit in form fields)."""
    body = response.content.decode()
    body = re.sub(r"<(script|textarea)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def deliberation_with_margins(db):
    deliberation = DeliberationFactory()
    for feature, value, share in [
        ("gender", "female", "0.5"),
        ("gender", "male", "0.5"),
        ("age_band", "18-59", "0.7"),
        ("age_band", "60+", "0.3"),
    ]:
        PopulationMargin.objects.create(
            deliberation=deliberation, feature=feature, value=value, share=share
        )
    return deliberation


def test_the_margins_page_names_features_and_categories_in_korean(
    client, organizer, deliberation_with_margins
):
    client.force_login(organizer)
    url = reverse("panels:margins", kwargs={"slug": deliberation_with_margins.slug})
    text = visible_text(client.get(url, **KOREAN))
    assert "성별" in text and "여성" in text and "남성" in text and "60세 이상" in text
    assert "female" not in text and "age_band" not in text and "60+" not in text


def test_the_margins_page_names_features_and_categories_in_english(
    client, organizer, deliberation_with_margins
):
    client.force_login(organizer)
    url = reverse("panels:margins", kwargs={"slug": deliberation_with_margins.slug})
    text = visible_text(client.get(url, **ENGLISH))
    assert "Gender" in text and "Women" in text and "Men" in text and "60 and over" in text
    assert "Age group" in text
    assert "female" not in text and "age_band" not in text and "60+" not in text


def test_the_quotas_page_names_the_quotas_categories(client, organizer, deliberation_with_margins):
    client.force_login(organizer)
    slug = deliberation_with_margins.slug
    client.post(reverse("panels:quotas", kwargs={"slug": slug}), {"action": "derive"})
    text = visible_text(client.get(reverse("panels:quotas", kwargs={"slug": slug}), **ENGLISH))
    assert "Women" in text and "18–59" in text
    assert "female" not in text and "18-59" not in text


def test_a_category_with_an_english_name_shows_it_on_english_pages_only():
    labels = StrataLabels(english={("region", "도심권"): "Central"})
    with translation.override("en"):
        assert labels.category("region", "도심권") == "Central"
        assert labels.feature("region") == "Region"
    with translation.override("ko"):
        assert labels.category("region", "도심권") == "도심권"
        assert labels.feature("region") == "권역"


def test_an_organizers_own_category_keeps_its_key():
    assert StrataLabels().category("tenure", "renter") == "renter"
