"""The public page in a real browser, on a phone, in Korean and in English.

A visitor without an account opens a published deliberation whose panel was drawn: the
page is in the chosen language, nothing scrolls sideways at 360 px, and the
recommendations' timeline and the draw's verification command are shown.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.browser import WIDEST, chromium, serve

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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from serve(tmp_path_factory, "public", SETUP)


@pytest.fixture(scope="module")
def browser(site):
    with chromium() as browser:
        yield browser


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
