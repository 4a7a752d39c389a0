"""The consent page's standard texts, in Korean and English.

Article 15(2) of the Personal Information Protection Act (개인정보 보호법) asks a consent to
name the purpose of the collection, the items collected, how long they are kept, and the
right to refuse with what refusing entails. A new wave starts from these texts; the
organizer edits them per wave. Plain data: the two languages are texts of their own, not
translations of the interface.
"""

from __future__ import annotations

from typing import NamedTuple


class ConsentText(NamedTuple):
    ko: str
    en: str


# The wave's consent fields (Korean field name; the English one adds "_en"), in page order.
CONSENT_FIELDS = ("purpose", "collected_items", "retention", "refusal", "contact")

DEFAULTS: dict[str, ConsentText] = {
    "purpose": ConsentText(
        "공론화 의제에 대한 시민의 의견을 알아보고, 그 결과를 통계로만 공개하기 위해 "
        "개인정보를 수집·이용합니다.",
        "Your personal data is collected and used to learn citizens' views on the agenda "
        "of this public deliberation; the results are published only as statistics.",
    ),
    "collected_items": ConsentText(
        "거주 지역, 성별, 출생 연도, 설문 응답.",
        "Area of residence, gender, year of birth and your answers to the survey.",
    ),
    "retention": ConsentText(
        "공론화 과정이 끝날 때까지 보유하며, 그 뒤에는 개인을 알아볼 수 없는 가명 형태로만 "
        "연구를 위해 보관합니다.",
        "Until the end of the deliberation process; after that, kept only in pseudonymous "
        "form for research.",
    ),
    "refusal": ConsentText(
        "귀하는 개인정보 수집·이용에 동의하지 않을 권리가 있습니다. 동의하지 않으시면 "
        "조사에 참여하실 수 없으나, 그 밖의 불이익은 없습니다.",
        "You have the right to refuse this consent. If you refuse, you cannot take part in "
        "the survey, and there are no other consequences.",
    ),
    "contact": ConsentText(
        "공론화 추진 주최 측.",
        "The organizers of the deliberation.",
    ),
}


def initial_texts() -> dict[str, str]:
    """The form's initial values for a new wave: every consent field in both languages."""
    initial = {}
    for name, text in DEFAULTS.items():
        initial[name] = text.ko
        initial[f"{name}_en"] = text.en
    return initial


def choose(ko: str, en: str, language: str, default: ConsentText) -> str:
    """The text in the respondent's language, else the other language, else the default."""
    first, second = (en, ko) if language == "en" else (ko, en)
    if first or second:
        return first or second
    return default.en if language == "en" else default.ko
