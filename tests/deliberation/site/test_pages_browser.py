"""Pages in a real browser: they reflow on a phone and their focus ring stands out.

WCAG 1.4.10 (reflow): at 375 px wide no page scrolls sideways — the report's headline
question form, the selection audit's digests, the computation's timings in English and the
fieldwork page's open link all fit. WCAG 1.4.11 (non-text contrast): the keyboard focus
ring has at least 3:1 against what surrounds it (the page, the header) and against the
control it marks, measured from the colours the browser computes.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from tests.browser import WIDEST, chromium, serve

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

SETUP = textwrap.dedent(
    """
    import json
    from django.conf import settings
    from django.test import Client
    from deliberation.core.roles import Role
    from panels import actions as panel_actions
    from surveys.models import Wave
    from tests.factories import DeliberationFactory, PanelistFactory, UserFactory, join
    from tests.panels.flow import computed_run
    from tests.surveys.factories import QuestionnaireFactory, WaveFactory
    from tests.surveys.test_panel_waves import ANSWERS, GROUPS, build_questions, respond

    organizer = UserFactory(role=Role.ORGANIZER, username="organizer")

    # A drawn panel: the computation and the audit of its draw.
    drawn = DeliberationFactory()
    join(organizer, drawn, Role.ORGANIZER)
    run = computed_run(organizer, drawn)
    panel_actions.do_draw(run, "20211005", actor=organizer)

    # Panel surveys before and after, whose headline question is a long one, and a poll
    # with an open link.
    surveyed = DeliberationFactory()
    join(organizer, surveyed, Role.ORGANIZER)
    questionnaire = QuestionnaireFactory(deliberation=surveyed)
    questions = build_questions(questionnaire)
    questions["Q1"].text_ko = (
        "귀하는 서울시가 생활폐기물을 줄이고 처리하기 위해 광역 자원회수시설을 새로 짓는 "
        "방안에 대해 어떻게 생각하십니까?"
    )
    questions["Q1"].text_en = (
        "What do you think of the city building a new regional resource-recovery facility "
        "to reduce and treat household waste?"
    )
    questions["Q1"].save()
    pre = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.PRE, label="pre")
    post = WaveFactory(questionnaire=questionnaire, kind=Wave.Kind.POST, label="post")
    for pid, by_wave in ANSWERS.items():
        region = GROUPS.get(pid, "서북권")
        seat = PanelistFactory(deliberation=surveyed, pseudonym=pid, region=region)
        for wave in (pre, post):
            if wave.label in by_wave:
                respond(wave, seat, by_wave[wave.label], questions)
    poll = WaveFactory(
        questionnaire=QuestionnaireFactory(deliberation=surveyed),
        open_link_token="seoul-2021-household-waste-and-facility-siting-poll-open-link",
    )

    client = Client()
    client.force_login(organizer)
    print(json.dumps({
        "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "drawn": drawn.slug,
        "surveyed": surveyed.slug,
        "poll": poll.pk,
    }))
    """
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from serve(tmp_path_factory, "pages", SETUP)


@pytest.fixture(scope="module")
def browser(site):
    with chromium() as browser:
        yield browser


def open_page(browser, site, language: str, viewport: dict):
    live, data = site
    context = browser.new_context(viewport=viewport, locale="ko-KR")
    context.add_cookies(
        [
            {"name": "sessionid", "value": data["cookie"], "url": live.url},
            {"name": "django_language", "value": language, "url": live.url},
        ]
    )
    return context, context.new_page()


def phone_pages(data: dict) -> list[str]:
    return [
        f"/deliberations/{data['surveyed']}/report/",
        f"/panels/{data['drawn']}/audit/",
        f"/panels/{data['drawn']}/compute/",
        f"/surveys/waves/{data['poll']}/fieldwork/",
    ]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_pages_fit_a_phone_screen_without_scrolling_sideways(site, browser, language):
    context, page = open_page(browser, site, language, PHONE)
    wide = {}
    for path in phone_pages(site[1]):
        response = page.goto(site[0].url + path, timeout=120_000)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.lang") == language
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = (width, page.evaluate(WIDEST))
    context.close()
    assert wide == {}


def rgb(colour: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", colour)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUSED = """() => {
  const e = document.activeElement;
  const opaque = c => c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent';
  let around = e.parentElement;
  while (around && !opaque(getComputedStyle(around).backgroundColor)) around = around.parentElement;
  const style = getComputedStyle(e);
  const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)/);
  return {
    tag: e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''),
    text: (e.textContent || e.value || '').trim().slice(0, 30),
    inHeader: !!e.closest('header'),
    outline: style.outlineStyle === 'none' ? null : style.outlineColor,
    outlineWidth: parseFloat(style.outlineWidth),
    ring: shadow ? shadow[0] : null,
    own: opaque(style.backgroundColor) ? style.backgroundColor : null,
    around: around ? getComputedStyle(around).backgroundColor : 'rgb(255, 255, 255)',
  };
}"""


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_keyboard_focus_ring_has_3_to_1_contrast_on_the_page_and_the_header(
    site, browser, language
):
    context, page = open_page(browser, site, language, DESKTOP)
    page.goto(site[0].url + f"/panels/{site[1]['drawn']}/audit/")
    seen, weak = [], []
    places = set()
    for _ in range(14):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        seen.append(focus)
        places.add("header" if focus["inHeader"] else "page")
        where = f"{focus['tag']} {focus['text']!r}"
        if focus["outline"] is None or focus["outlineWidth"] < 2:
            weak.append((where, "no outline"))
            continue
        against_surroundings = contrast(focus["outline"], focus["around"])
        if against_surroundings < 3:
            weak.append((where, f"outline {against_surroundings:.2f}:1 on {focus['around']}"))
        if focus["own"] is not None and focus["own"] != focus["around"]:
            # A filled control (a button, a select): one tone of the ring (the light inner
            # one on a dark fill, the dark outer one on a light fill) stands out from it.
            tones = [t for t in (focus["ring"], focus["outline"]) if t]
            against_fill = max(contrast(tone, focus["own"]) for tone in tones)
            if against_fill < 3:
                weak.append((where, f"ring {against_fill:.2f}:1 on the control {focus['own']}"))
    context.close()
    assert places == {"header", "page"}, seen
    assert any(f["own"] for f in seen), "a filled button was focused"
    assert weak == []
