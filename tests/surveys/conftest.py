import pytest
from django.core.cache import cache

from surveys import actions
from tests.surveys.factories import WaveFactory, add_strata, build_every_type


@pytest.fixture
def wave(db):
    wave = WaveFactory()
    build_every_type(wave.questionnaire)
    add_strata(wave.deliberation)
    return wave


@pytest.fixture
def token(wave):
    return actions.do_create_invitations(wave, 1)[0]


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Results arrays are cached per wave version; a rolled-back test's wave may share its
    id and version with the next test's, so each test starts with an empty cache."""
    cache.clear()
