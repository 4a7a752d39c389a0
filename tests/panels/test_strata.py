import pytest

from panels import strata


def test_age_band_from_birth_year():
    bands = strata.parse_age_bands(["18-29", "30-39", "60+"])
    assert strata.age_band(1990, 2021, bands) == "30-39"
    assert strata.age_band(1950, 2021, bands) == "60+"


def test_age_outside_every_band_has_no_band():
    bands = strata.parse_age_bands(["18-29", "60+"])
    assert strata.age_band(2010, 2021, bands) is None


def test_age_band_labels_of_another_shape_are_refused():
    with pytest.raises(ValueError, match="twenties"):
        strata.parse_age_bands(["twenties"])


def test_region_comes_from_the_mapping_given():
    assert strata.region_of("마포구", {"마포구": "서북권"}) == "서북권"
    assert strata.region_of("해운대구", {"마포구": "서북권"}) is None
