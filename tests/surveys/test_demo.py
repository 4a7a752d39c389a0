"""The demo poll is skewed on purpose, has volunteers, and is not duplicated when re-seeded."""

from collections import Counter

from panels import demo as panels_demo
from surveys import demo
from surveys.models import Answer, Response, VolunteerOptIn, WeightingRun
from tests.factories import DeliberationFactory


def test_demo_poll_is_skewed_weighted_and_idempotent(db):
    deliberation = DeliberationFactory()
    panels_demo.seed_margins(deliberation)
    wave = demo.seed_poll(deliberation)
    answers = Answer.objects.count()
    demo.seed_poll(deliberation)
    assert Response.objects.filter(wave=wave).count() == demo.RESPONDENTS
    assert Answer.objects.count() == answers
    assert wave.questionnaire.questions.count() == 30
    genders = Counter(Response.objects.filter(wave=wave).values_list("gender", flat=True))
    assert genders["여성"] / demo.RESPONDENTS > 0.55  # the population is 51.5% women
    young_central_men = Response.objects.filter(
        wave=wave, region="도심권", gender="남성", age_band__in=["18-29", "30-39"]
    ).count()
    assert young_central_men < 10
    share = VolunteerOptIn.objects.filter(deliberation=deliberation).count() / demo.RESPONDENTS
    assert 0.3 < share < 0.42  # Shin-Kori 2017: 5,981 of 20,006
    assert WeightingRun.objects.filter(wave=wave).count() == 1
    assert not Response.objects.filter(wave=wave, weight__isnull=True).exists()
