"""End to end: a real server process and a real browser.

A facilitator and two panelists chat, raise hands and get the floor; the server process
is killed and restarted; the pages reconnect by themselves and no message is lost or
doubled; a script tag typed into the chat shows as text.
"""

from __future__ import annotations

import os
import shutil
import textwrap

import pytest

from tests.deliberation.forum.live_server import LiveServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
XSS = "<script>window.__pwned = 1</script><b>bold?</b>"

SETUP = textwrap.dedent(
    """
    import json
    from django.conf import settings
    from django.test import Client
    from deliberation.core.roles import Role
    from tests.factories import ForumGroupFactory, PanelistFactory, UserFactory

    facilitator = UserFactory(role=Role.FACILITATOR, username="facil", first_name="Facil")
    seat = PanelistFactory(user__username="ana", user__first_name="Ana")
    ana, deliberation = seat.user, seat.deliberation
    ben = PanelistFactory(
        user__username="ben", user__first_name="Ben", deliberation=deliberation
    ).user
    group = ForumGroupFactory(
        facilitator=facilitator, members=[ana, ben], session__deliberation=deliberation
    )
    cookies = {}
    for user in (facilitator, ana, ben):
        client = Client()
        client.force_login(user)
        cookies[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(json.dumps({"group": group.pk, "cookies": cookies}))
    """
)


def browser_or_skip():
    required = os.environ.get("GONGNON_REQUIRE_BROWSER") == "1"
    reason = None
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        reason = "Playwright is not installed"
    if reason is None and not shutil.which(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason:
        if required:
            pytest.fail(f"GONGNON_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture
def server(tmp_path):
    browser_or_skip()
    live = LiveServer(tmp_path)
    live.manage("migrate", "--noinput", "-v", "0")
    data = live.setup_script(SETUP)
    live.start()
    yield live, data
    live.stop()


def texts(page) -> list[str]:
    return page.eval_on_selector_all("#messages li .text", "items => items.map(i => i.textContent)")


def seqs(page) -> list[int]:
    return page.eval_on_selector_all(
        "#messages li", "items => items.map(i => Number(i.dataset.seq))"
    )


def wait_connected(page) -> None:
    page.wait_for_selector("#connection-status.is-up", timeout=30000)


def send(page, text: str) -> None:
    page.fill("#message-input", text)
    page.press("#message-input", "Enter")


def wait_for_text(page, text: str) -> None:
    page.wait_for_function(
        "t => [...document.querySelectorAll('#messages li .text')].some(i => i.textContent === t)",
        arg=text,
        timeout=30000,
    )


def test_chat_queue_floor_and_lossless_resume_across_a_server_restart(server):
    from playwright.sync_api import sync_playwright

    live, data = server
    group = data["group"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for username, path in [
            ("facil", f"/groups/{group}/console/"),
            ("ana", f"/groups/{group}/room/"),
            ("ben", f"/groups/{group}/room/"),
        ]:
            context = browser.new_context(locale="en-US")
            context.add_cookies(
                [{"name": "sessionid", "value": data["cookies"][username], "url": live.url}]
            )
            page = context.new_page()
            page.goto(live.url + path)
            wait_connected(page)
            pages[username] = page
        facil, ana, ben = pages["facil"], pages["ana"], pages["ben"]
        assert ana.get_attribute("#messages", "aria-live") == "polite"

        send(ana, "hello from Ana")
        send(ben, XSS)
        send(facil, "welcome both")
        for page in pages.values():
            for text in ("hello from Ana", XSS, "welcome both"):
                wait_for_text(page, text)
        for page in pages.values():
            assert page.evaluate("window.__pwned") is None
            assert page.query_selector("#messages b") is None

        ana.click("#hand-button")
        ben.wait_for_function("document.querySelectorAll('#hands li').length === 1")
        ben.click("#hand-button")
        facil.wait_for_function("document.querySelectorAll('#hands li').length === 2")
        facil.click("#hands li:first-child button")
        ana.wait_for_function("document.querySelector('#speaker').textContent.includes('Ana')")
        ben.wait_for_function("document.querySelector('#speaker').textContent.includes('Ana')")
        assert ben.eval_on_selector_all("#hands li", "items => items.length") == 1

        live.kill()
        for page in pages.values():
            page.wait_for_selector("#connection-status.is-down", timeout=30000)
        send(ana, "typed while the server was down")
        live.start()
        for page in pages.values():
            wait_connected(page)
        send(ben, "after the restart")
        expected = [
            "hello from Ana",
            XSS,
            "welcome both",
            "typed while the server was down",
            "after the restart",
        ]
        for page in pages.values():
            for text in expected:
                wait_for_text(page, text)
        for name, page in pages.items():
            shown = texts(page)
            assert sorted(shown) == sorted(expected), name
            assert len(shown) == len(set(shown)) == 5, name
            assert seqs(page) == sorted(seqs(page)), name
        assert ana.evaluate("document.querySelector('#speaker').textContent").count("Ana") == 1
        browser.close()
