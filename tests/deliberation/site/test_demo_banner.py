"""The demo banner marks a demo deliberation's pages, and only those."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import DeliberationFactory, SessionFactory
from tests.surveys.factories import WaveFactory

BANNER = 'class="demo-banner"'


@pytest.fixture
def demo_and_real(db):
    return DeliberationFactory(is_demo=True), DeliberationFactory(is_demo=False)


def test_banner_shows_on_a_demo_deliberations_page(client, organizer, demo_and_real):
    demo, _ = demo_and_real
    client.force_login(organizer)
    assert BANNER in client.get(reverse("deliberation:detail", args=[demo.slug])).text


def test_banner_is_absent_from_a_real_deliberation_beside_the_demo(
    client, organizer, demo_and_real
):
    _, real = demo_and_real
    client.force_login(organizer)
    assert BANNER not in client.get(reverse("deliberation:detail", args=[real.slug])).text
    assert BANNER not in client.get(reverse("panels:overview", args=[real.slug])).text
    assert BANNER not in client.get(reverse("deliberation:home")).text


def test_banner_follows_the_object_a_page_is_about(client, organizer, demo_and_real):
    demo, real = demo_and_real
    client.force_login(organizer)
    demo_wave = WaveFactory(questionnaire__deliberation=demo)
    real_wave = WaveFactory(questionnaire__deliberation=real)
    assert BANNER in client.get(reverse("surveys:fieldwork", args=[demo_wave.pk])).text
    assert BANNER not in client.get(reverse("surveys:fieldwork", args=[real_wave.pk])).text
    demo_session = SessionFactory(deliberation=demo)
    assert BANNER in client.get(reverse("forum:materials", args=[demo_session.pk])).text


def test_a_respondent_of_a_demo_poll_sees_the_banner(client, demo_and_real):
    demo, real = demo_and_real
    WaveFactory(questionnaire__deliberation=demo, open_link_token="open-demo")
    WaveFactory(questionnaire__deliberation=real, open_link_token="open-real")
    page = client.get(reverse("surveys:open_link", args=["open-demo"]), follow=True)
    assert BANNER in page.text
    page = client.get(reverse("surveys:open_link", args=["open-real"]), follow=True)
    assert page.status_code == 200 and BANNER not in page.text
