"""The public page in a real browser, on a phone, in Korean and in English.

A visitor without an account opens a published deliberation whose panel was drawn: the
page is in the chosen language, nothing scrolls sideways at 360 px, and the
recommendations' timeline and the draw's verification command are shown.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.deliberation.forum.live_server import LiveServer
from tests.deliberation.forum.test_room_browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}

SETUP = textwrap.dedent(
    """
    import json
    from panels import actions as panel_actions
    from tests.deliberation.site.public_fixtures import build_public
    from tests.panels.flow import computed_run

    public = build_public()
    run = computed_run(public["organizer"], public["deliberation"])
    panel_actions.do_draw(run, "20211005", actor=public["organizer"])
    print(json.dumps({"slug": public["deliberation"].slug}))
    """
)

WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    browser_or_skip()
    live = LiveServer(tmp_path_factory.mktemp("public"))
    data = live.setup_script(SETUP)
    live.start()
    yield live, data
    live.stop()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_visitor_reads_the_public_page_on_a_phone(site, browser, language):
    live, data = site
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    context.add_cookies([{"name": "django_language", "value": language, "url": live.url}])
    page = context.new_page()
    response = page.goto(f"{live.url}/public/{data['slug']}/", timeout=120_000)
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("h1").count() == 1
    assert page.locator("h2#p-panel").is_visible()
    assert page.locator("#p-recommendations ~ ol .timeline .status-accepted").count() == 1
    assert "verify_draw" in page.locator(".public-command").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], page.evaluate(WIDEST)
    context.close()
