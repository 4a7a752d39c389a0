"""The words people read for the strata's keys: features and categories, in both languages.

Data keep keys (``age_band``, ``여성``, ``60+``); every page, chart, report table and
export's value labels turn them into words through this one module, so no reader sees a
key and every place says the same thing. A deliberation's own categories (its regions)
bring their English names; the common ones (genders, age bands) are named here in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy, override, pgettext_lazy

from panels.strata import parse_age_bands

FEATURE_LABELS = {
    "region": gettext_lazy("Region"),
    "district": gettext_lazy("District"),
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age group"),
    "opinion": gettext_lazy("Prior opinion"),
}

# The common categories' words as (Korean, English), like the deliberation's own
# categories (a region's name and English name): they are data labels, not UI text.
_WOMEN = ("여성", "Women")
_MEN = ("남성", "Men")
GENDER_LABELS = {
    "female": _WOMEN,
    "women": _WOMEN,
    "f": _WOMEN,
    "여성": _WOMEN,
    "여": _WOMEN,
    "male": _MEN,
    "men": _MEN,
    "m": _MEN,
    "남성": _MEN,
    "남": _MEN,
    "other": ("기타", "Another gender"),
}


def is_english() -> bool:
    return (get_language() or "").lower().startswith("en")


def feature_label(key: str) -> str:
    """The feature's name in the active language; an organizer's own feature keeps its key."""
    label = FEATURE_LABELS.get(key)
    return str(label) if label is not None else key


# The recruitment funnel's fixed steps (panels.funnel); a session or wave step keeps its title.
FUNNEL_STEP_LABELS = {
    "poll": pgettext_lazy("funnel step", "Poll respondents"),
    "volunteers": pgettext_lazy("funnel step", "Volunteers"),
    "drawn": pgettext_lazy("funnel step", "Drawn"),
    "confirmed": pgettext_lazy("funnel step", "Confirmed"),
}


def funnel_step_label(key: str, label: str = "") -> str:
    """A fixed funnel step's name in the active language; any other step keeps its label."""
    fixed = FUNNEL_STEP_LABELS.get(key)
    return str(fixed) if fixed is not None else label


def age_band_label(value: str) -> str:
    """ "60+" reads "60세 이상" / "60 and over"; a band of another shape keeps its key."""
    try:
        (band,) = parse_age_bands([value])
    except ValueError:
        return value
    english = is_english()
    if band.high is None:
        return f"{band.low} and over" if english else f"{band.low}세 이상"
    return f"{band.low}–{band.high}" if english else f"{band.low}–{band.high}세"


@dataclass(frozen=True)
class StrataLabels:
    """Labels for one deliberation: its categories' English names beside the common words."""

    # (feature, category key) -> English label, shown on English pages.
    english: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def feature(self, key: str) -> str:
        return feature_label(key)

    def category(self, feature: str, value: object) -> str:
        """The category's label in the active language; an unknown category keeps its key."""
        value = "" if value is None else str(value)
        if not value:
            return value
        if is_english() and (name := self.english.get((feature, value))):
            return name
        if feature == "gender" and (pair := GENDER_LABELS.get(value.strip().lower())):
            return pair[1] if is_english() else pair[0]
        if feature == "age_band":
            return age_band_label(value)
        return value

    def bilingual(self, feature: str, value: object) -> str:
        """ "Korean (English)", for data files read by people of either language."""
        with override("ko"):
            korean = self.category(feature, value)
        with override("en"):
            english = self.category(feature, value)
        return korean if english == korean else f"{korean} ({english})"

    def categories(self, feature: str, values: Mapping[str, object]) -> dict[str, object]:
        """A mapping keyed by category, re-keyed by label (for charts and summaries)."""
        return {self.category(feature, key): v for key, v in values.items()}


DEFAULT_LABELS = StrataLabels()
