"""End to end: a real server process and a real browser.

A facilitator and two panelists chat, raise hands and get the floor; the server process
is killed and restarted; the pages reconnect by themselves and no message is lost or
doubled; a script tag typed into the chat shows as text. The page takes the protocol's
limits from the welcome: with the welcome's limits lowered on the way, the page's bounds
follow them, and what is over them is refused in the browser and never sent.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from django.utils import translation

from deliberation.forum import protocol
from deliberation.forum.views import room_strings
from tests.browser import browser_or_skip, chromium
from tests.deliberation.forum.live_server import LiveServer

pytestmark = pytest.mark.browser

XSS = "<script>window.__pwned = 1</script><b>bold?</b>"

SETUP = textwrap.dedent(
    """
    import json
    from django.conf import settings
    from django.test import Client
    from deliberation.core.actions import do_set_display_name
    from deliberation.core.roles import Role
    from tests.factories import ForumGroupFactory, PanelistFactory, UserFactory

    facilitator = UserFactory(role=Role.FACILITATOR, username="facil", first_name="Facil")
    seat = PanelistFactory(user__username="ana", user__first_name="Ana")
    ana, deliberation = seat.user, seat.deliberation
    ben = PanelistFactory(
        user__username="ben", user__first_name="Ben", deliberation=deliberation
    ).user
    do_set_display_name(ana, "Ana")
    do_set_display_name(ben, "Ben")
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


@pytest.fixture(scope="module")
def set_up_database(tmp_path_factory):
    """The room's database, set up once: each test's server starts from a copy of it."""
    browser_or_skip()
    setup = LiveServer(tmp_path_factory.mktemp("room-setup"))
    data = setup.setup_script(SETUP)
    setup.stop()
    return setup.database, data


@pytest.fixture
def server(tmp_path, set_up_database):
    database, data = set_up_database
    live = LiveServer(tmp_path, start_from=database)
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

    live, data = server
    group = data["group"]
    with chromium() as browser:
        pages = {}
        for username, path in [
            ("facil", f"/groups/{group}/console/"),
            ("ana", f"/groups/{group}/room/"),
            ("ben", f"/groups/{group}/room/"),
        ]:
            # Playwright's waits evaluate strings in the page, which the site's CSP refuses
            # (no unsafe-eval); test_the_room_runs_under_the_content_security_policy
            # checks the page under the policy.
            context = browser.new_context(locale="en-US", bypass_csp=True)
            context.add_cookies(
                [{"name": "sessionid", "value": data["cookies"][username], "url": live.url}]
            )
            page = context.new_page()
            page.goto(live.url + path)
            wait_connected(page)
            pages[username] = page
        facil, ana, ben = pages["facil"], pages["ana"], pages["ben"]
        assert ana.get_attribute("#message-log", "aria-live") == "polite"

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


ROOM_JS = Path(__file__).resolve().parents[3] / "static" / "js" / "room"


def open_room(browser, live, data, username: str, path: str, lowered: dict | None = None):
    """A signed-in page on a room; every frame it sends is recorded. With lowered, the
    welcome's limits are changed on their way to the page."""
    context = browser.new_context(locale="en-US", bypass_csp=True)
    context.add_cookies(
        [{"name": "sessionid", "value": data["cookies"][username], "url": live.url}]
    )
    page = context.new_page()
    sent: list[dict] = []

    def route(page_side):
        server_side = page_side.connect_to_server()

        def from_page(message):
            sent.append(json.loads(message))
            server_side.send(message)

        def from_server(message):
            frame = json.loads(message)
            if lowered and frame.get("type") == "welcome":
                frame["limits"].update(lowered)
                message = json.dumps(frame)
            page_side.send(message)

        page_side.on_message(from_page)
        server_side.on_message(from_server)

    page.route_web_socket(re.compile(r"/ws/rooms/\d+/"), route)
    page.goto(live.url + path)
    wait_connected(page)
    return page, sent


def frames_of(sent: list[dict], kind: str) -> list[dict]:
    return [frame for frame in sent if frame.get("type") == kind]


def prop(page, selector: str, name: str):
    return page.eval_on_selector(selector, "(node, name) => node[name]", name)


def wait_for_error(page, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('#room-error').textContent === t", arg=text, timeout=30000
    )


def test_the_page_takes_the_limits_from_the_welcome(server):

    live, data = server
    group = data["group"]
    with translation.override("en"):
        strings = room_strings()
    with chromium() as browser:
        ana, ana_sent = open_room(
            browser,
            live,
            data,
            "ana",
            f"/groups/{group}/room/",
            lowered={"max_message_bytes": 60, "max_client_id_chars": 12},
        )
        facil, facil_sent = open_room(
            browser,
            live,
            data,
            "facil",
            f"/groups/{group}/console/",
            lowered={
                "max_poll_options": 3,
                "max_poll_option_chars": 5,
                "max_poll_question_chars": 20,
                "max_timer_label_chars": 7,
                "max_turn_seconds": 90,
                "max_timer_seconds": 1200,
            },
        )
        ben, ben_sent = open_room(browser, live, data, "ben", f"/groups/{group}/room/")

        # Every module of the room's script is in the page's import map.
        imports = json.loads(ana.text_content("script[type=importmap]"))["imports"]
        modules = {path.relative_to(ROOM_JS).as_posix() for path in ROOM_JS.rglob("*.js")}
        listed = {key.split("/js/room/", 1)[1] for key in imports}
        assert listed == modules - {"main.js"}

        # The bounds of the page are the welcome's, lowered or not.
        assert prop(ana, "#message-input", "maxLength") == 60
        assert prop(ben, "#message-input", "maxLength") == protocol.MAX_MESSAGE_BYTES
        assert prop(facil, "#message-input", "maxLength") == protocol.MAX_MESSAGE_BYTES
        assert prop(facil, "#timer-name", "maxLength") == 7
        assert prop(facil, "#timer-minutes", "max") == "20"
        assert prop(facil, "#turn-seconds", "max") == "90"
        assert prop(facil, "#poll-question", "maxLength") == 20
        assert prop(facil, "#recommendation-input", "maxLength") == protocol.MAX_MESSAGE_BYTES
        assert ana.get_attribute("#room-error", "role") == "alert"

        # Over the byte limit (30 syllables: 30 characters, 90 bytes): refused in the
        # browser, announced, the text kept, nothing sent.
        long_text = "가" * 30
        send(ana, long_text)
        wait_for_error(ana, strings["too_long"] % {"size": 90, "max": 60})
        assert ana.input_value("#message-input") == long_text
        assert ana.get_attribute("#message-input", "aria-invalid") == "true"
        assert ana.evaluate("document.activeElement.id") == "message-input"
        too_long_for_ben = "나" * (protocol.MAX_MESSAGE_BYTES // 3 + 1)
        send(ben, too_long_for_ben)
        wait_for_error(
            ben,
            strings["too_long"]
            % {"size": len(too_long_for_ben.encode()), "max": protocol.MAX_MESSAGE_BYTES},
        )

        # Within the limits the message goes, with a client_id within the lowered bound.
        send(ana, "가" * 20)
        send(ben, "short from Ben")
        for page in (ana, ben, facil):
            wait_for_text(page, "가" * 20)
            wait_for_text(page, "short from Ben")
        assert ana.get_attribute("#message-input", "aria-invalid") is None
        assert [frame["text"] for frame in frames_of(ana_sent, "message")] == ["가" * 20]
        assert [frame["text"] for frame in frames_of(ben_sent, "message")] == ["short from Ben"]
        assert all(len(frame["client_id"]) <= 12 for frame in frames_of(ana_sent, "message"))
        for page in (ana, ben, facil):
            assert long_text not in texts(page) and too_long_for_ben not in texts(page)

        # A poll over the welcome's number of options, or with too long an option, is
        # refused before sending; within them it opens.
        facil.fill("#poll-question", "Which?")
        facil.fill("#poll-options", "A\nB\nC\nD")
        facil.click("#poll-form button[type=submit]")
        wait_for_error(facil, strings["too_many_options"] % {"max": 3, "count": 4})
        facil.fill("#poll-options", "A\nlonger\nC")
        facil.click("#poll-form button[type=submit]")
        wait_for_error(facil, strings["option_too_long"] % {"number": 2, "max": 5})
        assert frames_of(facil_sent, "poll_open") == []
        facil.fill("#poll-options", "A\nB\nC")
        facil.click("#poll-form button[type=submit]")
        ana.wait_for_function("document.querySelectorAll('#polls input[type=radio]').length === 3")
        assert [frame["options"] for frame in frames_of(facil_sent, "poll_open")] == [
            ["A", "B", "C"]
        ]


def test_the_room_runs_under_the_content_security_policy(server):
    """The policy is enforced here (no bypass): the room connects, chats and nothing the
    site itself needs is refused."""

    live, data = server
    group = data["group"]
    with chromium() as browser:
        refused: list[str] = []
        for username, path in [("facil", f"/groups/{group}/console/"), ("ana", "/")]:
            context = browser.new_context(locale="ko-KR")
            context.add_cookies(
                [{"name": "sessionid", "value": data["cookies"][username], "url": live.url}]
            )
            page = context.new_page()
            page.on(
                "console",
                lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
            )
            response = page.goto(live.url + path)
            assert "unsafe-inline" not in response.headers["content-security-policy"]
            if "console" in path:
                wait_connected(page)
                send(page, "정책 아래에서도 대화가 됩니다")
                page.wait_for_selector("#messages li:has-text('정책 아래에서도')", timeout=15000)
                assert page.evaluate("typeof window.__pwned") == "undefined"
        assert refused == []


def test_each_page_words_what_the_server_sends_in_its_own_language(server):
    """Refusals, phases and chat times follow the page's language (the browser's own
    language set to the other one): the server sends codes, the page words them."""

    live, data = server
    group = data["group"]
    strings = {}
    for language in ("ko", "en"):
        with translation.override(language):
            strings[language] = room_strings()
    with chromium() as browser:
        pages = {}
        for username, path, language, browser_locale in [
            ("facil", f"/groups/{group}/console/", "en", "ko-KR"),
            ("ana", f"/groups/{group}/room/", "ko", "en-US"),
        ]:
            context = browser.new_context(locale=browser_locale, bypass_csp=True)
            context.add_cookies(
                [
                    {"name": "sessionid", "value": data["cookies"][username], "url": live.url},
                    {"name": "django_language", "value": language, "url": live.url},
                ]
            )
            page = context.new_page()

            def route(page_side):
                server_side = page_side.connect_to_server()

                def from_page(message):
                    # Ana's hand goes to the server as an end of turn, which nobody has:
                    # the server refuses it.
                    if json.loads(message).get("type") == "hand_raise":
                        message = json.dumps({"type": "floor_end"})
                    server_side.send(message)

                page_side.on_message(from_page)
                server_side.on_message(page_side.send)

            page.route_web_socket(re.compile(r"/ws/rooms/\d+/"), route)
            page.goto(live.url + path)
            wait_connected(page)
            pages[username] = page
        facil, ana = pages["facil"], pages["ana"]
        assert ana.get_attribute("html", "lang") == "ko"
        assert facil.get_attribute("html", "lang") == "en"

        # The refusal is worded on the Korean page in Korean, not in the server's English.
        ana.click("#hand-button")
        wait_for_error(ana, strings["ko"]["error_nobody_speaking"])
        assert "Nobody has the floor." not in ana.text_content("#room-error")

        # The phase, set from the English console, is named on each page in its language.
        facil.select_option("#phase-select", "option_b")
        facil.click("#phase-form button[type=submit]")
        for page, language in ((ana, "ko"), (facil, "en")):
            page.wait_for_function(
                "t => document.querySelector('#phase-label').textContent === t",
                arg=strings[language]["phase_option_b"],
                timeout=30000,
            )

        # A chat time is in the page's language, not the browser's.
        send(ana, "시간 표시")
        for page, language in ((ana, "ko"), (facil, "en")):
            wait_for_text(page, "시간 표시")
            shown, expected = page.eval_on_selector(
                "#messages li time",
                """(node, language) => [node.textContent, new Date(node.dateTime)
                    .toLocaleTimeString(language, {hour: '2-digit', minute: '2-digit'})]""",
                language,
            )
            assert shown == expected, language
        assert not re.search("[가-힣]", facil.text_content("#messages li time"))
