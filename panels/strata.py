"""The strata a panel is drawn by, and how a person's stratum is read.

Plain Python, no Django. Nothing here knows a city: the age bands and the
district-to-region mapping are data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The strata every panelist, poll respondent and panel-wave answer records, in this order.
STRATA = ("region", "gender", "age_band")

DEFAULT_AGE_BANDS = ("18-29", "30-39", "40-49", "50-59", "60+")
# The gender categories a deliberation without gender margins starts from.
DEFAULT_GENDERS = ("남성", "여성")
_RANGE = re.compile(r"^\s*(\d+)\s*[-–~]\s*(\d+)\s*$")
_OPEN = re.compile(r"^\s*(\d+)\s*(\+|이상)\s*$")


@dataclass(frozen=True)
class AgeBand:
    label: str
    low: int
    high: int | None

    def contains(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


def parse_age_bands(labels: Iterable[str]) -> list[AgeBand]:
    """Read labels such as "18-29" or "60+"; a label of another shape is an error."""
    bands = []
    for label in labels:
        if match := _RANGE.match(label):
            bands.append(AgeBand(label, int(match[1]), int(match[2])))
        elif match := _OPEN.match(label):
            bands.append(AgeBand(label, int(match[1]), None))
        else:
            raise ValueError(f"age band {label!r} is neither 'low-high' nor 'low+'")
    return sorted(bands, key=lambda band: band.low)


def age_band(birth_year: int, reference_year: int, bands: Iterable[AgeBand]) -> str | None:
    """The band of someone born in birth_year, in reference_year; None when outside all."""
    age = reference_year - birth_year
    return next((band.label for band in bands if band.contains(age)), None)


def region_of(district: str, mapping: Mapping[str, str]) -> str | None:
    return mapping.get(district.strip())
