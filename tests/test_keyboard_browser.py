"""By keyboard only, in a real browser against a real server: the room and the panel survey.

A facilitator and two panelists do every task of a group room and of a plenary — chat,
raise and lower a hand, give and end the floor, vote in a quick poll, support a
recommendation, ask and upvote a question — and a panelist answers a panel survey from
its consent to its last page, with Tab, Shift+Tab, Enter, Space and the arrow keys only.
After every key, and after every redraw that the server's answer brings, the focus is on
an element of the page (never <body>) and that element shows a focus indicator.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.browser import chromium, serve

pytestmark = pytest.mark.browser

SETUP = textwrap.dedent(
    """
    import json
    from django.conf import settings
    from django.test import Client
    from deliberation.core.actions import do_set_display_name
    from deliberation.core.roles import Role
    from deliberation.forum.models import Session
    from surveys import actions as survey_actions
    from surveys.models import Wave
    from tests.factories import (
        ForumGroupFactory, PanelistFactory, SessionFactory, UserFactory, join
    )
    from tests.surveys.factories import WaveFactory, add_strata, build_every_type

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
    join(facilitator, deliberation, Role.FACILITATOR)
    organizer = UserFactory(role=Role.ORGANIZER, username="org")
    join(organizer, deliberation, Role.ORGANIZER)
    plenary = SessionFactory(
        kind=Session.Kind.PLENARY, moderator=facilitator, deliberation=deliberation
    )
    add_strata(deliberation)
    wave = WaveFactory(
        kind=Wave.Kind.PRE, deliberation=deliberation, questionnaire__deliberation=deliberation
    )
    build_every_type(wave.questionnaire)
    token = survey_actions.do_create_invitations(wave, 1, [seat])[0]
    cookies = {}
    for user in (facilitator, ana, ben, organizer):
        client = Client()
        client.force_login(user)
        cookies[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(json.dumps({
        "group": group.pk, "plenary": plenary.pk, "token": token, "cookies": cookies,
        "slug": deliberation.slug,
    }))
    """
)

# What has the focus, and whether it shows a focus indicator (an outline or a box-shadow).
FOCUS = """() => {
  const node = document.activeElement;
  if (!node || node === document.body || node === document.documentElement) {
    return {lost: true};
  }
  const style = getComputedStyle(node);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {
    lost: false,
    visible: outline || !!shadow,
    tag: node.tagName.toLowerCase(),
    id: node.id,
    text: (node.textContent || node.value || '').trim().slice(0, 60),
    type: node.type || '',
    name: node.name || '',
  };
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module: each test works in a room, a survey or a page of its
    own, and migrating a database takes most of a test's time."""
    yield from serve(tmp_path_factory, "keyboard", SETUP)


def check_focus(page, after: str) -> dict:
    """The focus is on an element and visible; the element, described."""
    focus = page.evaluate(FOCUS)
    assert not focus["lost"], f"focus lost to <body> after {after}"
    assert focus["visible"], f"no visible focus indicator on {focus} after {after}"
    return focus


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    return check_focus(page, key)


def type_text(page, text: str) -> None:
    page.keyboard.type(text)
    check_focus(page, f"typing {text!r}")


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement?.matches(s)", selector)


def tab_to(page, selector: str, *, backwards: bool = False, most: int = 120) -> dict:
    """Press Tab (or Shift+Tab) until the element matching selector has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(most):
        page.keyboard.press(key)
        if page.evaluate(FOCUS)["lost"]:
            # Past the first or the last element the focus leaves the page for the
            # browser's own controls; the next key brings it back to the page.
            page.keyboard.press(key)
        focus = check_focus(page, key)
        if focused(page, selector):
            return focus
    raise AssertionError(f"{selector} is not reachable with {key}")


def wait_for(page, expression: str, arg=None) -> None:
    page.wait_for_function(expression, arg=arg, timeout=30000)


def open_page(browser, live, data, username: str | None, path: str, language: str = "en"):
    context = browser.new_context(locale="en-US" if language == "en" else "ko-KR", bypass_csp=True)
    if username:
        context.add_cookies(
            [{"name": "sessionid", "value": data["cookies"][username], "url": live.url}]
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": live.url}])
    page = context.new_page()
    page.goto(live.url + path)
    return page


def connected(page) -> None:
    page.wait_for_selector("#connection-status.is-up", timeout=30000)


def test_a_group_room_and_its_console_by_keyboard_only(server):

    live, data = server
    group = data["group"]
    with chromium() as browser:
        facil = open_page(browser, live, data, "facil", f"/groups/{group}/console/")
        ana = open_page(browser, live, data, "ana", f"/groups/{group}/room/")
        ben = open_page(browser, live, data, "ben", f"/groups/{group}/room/")
        for page in (facil, ana, ben):
            connected(page)

        # Only the speaker sees "End turn"; nobody has the floor yet.
        for page in (ana, ben):
            assert not page.is_visible("#end-turn-button")

        # Ana chats: Tab to the composer, type, Enter sends; the focus stays in it.
        tab_to(ana, "#message-input")
        type_text(ana, "hello by keyboard")
        press(ana, "Enter")
        wait_for(ana, "() => document.querySelectorAll('#messages li').length === 1")
        check_focus(ana, "sending a message")
        assert focused(ana, "#message-input")

        # The scrolling log is a focusable region with a name, between the page top and
        # the composer (Shift+Tab from the composer reaches it).
        tab_to(ana, "#message-log", backwards=True)
        assert ana.get_attribute("#message-log", "aria-label")
        assert ana.get_attribute("#message-log", "role") == "log"
        # The messages stay a list: no role on the <ol> takes its list semantics away.
        assert ana.eval_on_selector("#messages li", "li => li.parentElement.tagName") == "OL"
        assert ana.get_attribute("#messages", "role") is None

        # Ana and Ben raise their hands with Space and Enter.
        tab_to(ana, "#hand-button")
        press(ana, "Space")
        wait_for(ana, "() => document.querySelector('#hand-button').dataset.raised === '1'")
        check_focus(ana, "raising a hand")
        tab_to(ben, "#hand-button")
        press(ben, "Enter")
        wait_for(facil, "() => document.querySelectorAll('#hands li').length === 2")
        check_focus(ben, "raising a hand")
        # Ben lowers his hand again: the button keeps the focus.
        press(ben, "Enter")
        wait_for(ben, "() => document.querySelector('#hand-button').dataset.raised === '0'")
        assert focused(ben, "#hand-button")
        check_focus(ben, "lowering a hand")
        press(ben, "Enter")
        wait_for(facil, "() => document.querySelectorAll('#hands li').length === 2")

        # The facilitator gives Ana the floor from the console: the focus stays in the
        # queue, on Ben's "Give the floor".
        tab_to(facil, "#hands li:first-child button")
        press(facil, "Enter")
        wait_for(facil, "() => document.querySelectorAll('#hands li').length === 1")
        check_focus(facil, "giving the floor")
        assert focused(facil, "#hands li button")

        # Ana, who speaks, sees "End turn" and ends her turn; Ben does not see it.
        wait_for(ana, "() => !document.querySelector('#end-turn-button').hidden")
        assert ana.is_visible("#end-turn-button")
        assert not ben.is_visible("#end-turn-button")
        tab_to(ana, "#end-turn-button")
        press(ana, "Enter")
        wait_for(ana, "() => document.querySelector('#end-turn-button').hidden")
        check_focus(ana, "ending a turn")

        # The facilitator gives Ben the floor: the queue is empty, the focus stays in it.
        tab_to(facil, "#hands li:first-child button")
        press(facil, "Enter")
        wait_for(facil, "() => document.querySelectorAll('#hands li').length === 0")
        check_focus(facil, "giving the last hand the floor")

        # A quick poll, opened from the console by keyboard.
        tab_to(facil, "#poll-question")
        type_text(facil, "Which?")
        press(facil, "Tab")
        assert focused(facil, "#poll-options")
        type_text(facil, "Yes")
        press(facil, "Shift+Enter")
        type_text(facil, "No")
        tab_to(facil, "#poll-form button[type=submit]")
        press(facil, "Enter")
        wait_for(ana, "() => document.querySelectorAll('#polls input[type=radio]').length === 2")

        # Ana votes: Tab to the first option, arrow to the second, Enter votes; the focus
        # stays on the poll.
        tab_to(ana, "#polls input[type=radio]")
        press(ana, "ArrowDown")
        assert ana.is_checked("#polls input[type=radio] >> nth=1")
        press(ana, "Tab")
        assert focused(ana, "#polls button[type=submit]")
        press(ana, "Enter")
        wait_for(ana, "() => !document.querySelector('#polls input[type=radio]')")
        check_focus(ana, "voting")

        # A recommendation, recorded from the console, which Ana supports and withdraws.
        tab_to(facil, "#recommendation-input")
        type_text(facil, "More buses")
        tab_to(facil, "#recommendation-form button[type=submit]")
        press(facil, "Enter")
        wait_for(ana, "() => document.querySelectorAll('#recommendations li button').length === 1")
        tab_to(ana, "#recommendations li button")
        press(ana, "Enter")
        wait_for(
            ana, "() => document.querySelector('#recommendations li').textContent.includes('1')"
        )
        check_focus(ana, "supporting a recommendation")
        assert focused(ana, "#recommendations li button")
        press(ana, "Space")
        wait_for(
            ana,
            "() => document.querySelector('#recommendations li button')"
            ".getAttribute('aria-pressed') === 'false'",
        )
        check_focus(ana, "withdrawing support")

        # The facilitator hides a message with the keyboard (the reason prompt accepted).
        facil.on("dialog", lambda dialog: dialog.accept("off topic"))
        tab_to(facil, "#messages .hide-button")
        press(facil, "Enter")
        wait_for(ana, "() => document.querySelector('#messages li.is-hidden')")
        wait_for(facil, "() => !document.querySelector('#messages .hide-button')")
        check_focus(facil, "hiding a message")


def test_a_plenary_by_keyboard_only(server):

    live, data = server
    plenary = data["plenary"]
    with chromium() as browser:
        ana = open_page(browser, live, data, "ana", f"/sessions/{plenary}/plenary/")
        ben = open_page(browser, live, data, "ben", f"/sessions/{plenary}/plenary/")
        for page in (ana, ben):
            connected(page)
        tab_to(ana, "#question-input")
        type_text(ana, "Why now?")
        tab_to(ana, "#question-form button[type=submit]")
        press(ana, "Enter")
        wait_for(ben, "() => document.querySelectorAll('#questions li').length === 1")
        # Ben upvotes: the button is then disabled, the focus stays on the question.
        tab_to(ben, "#questions li button")
        press(ben, "Enter")
        wait_for(ben, "() => document.querySelector('#questions li button').disabled")
        wait_for(ana, "() => document.querySelector('#questions li').textContent.includes('1')")
        wait_for(ben, "() => document.querySelector('#questions li').textContent.includes('1')")
        check_focus(ben, "upvoting")
        press(ben, "Tab")


def answer_by_keyboard(page, done: set[str]) -> None:
    """Act on the focused field as a person with a keyboard does: Space checks the first
    radio button or box of a question, arrows move in a radio group and choose in a select,
    digits and words go into text fields."""
    field = page.evaluate(FOCUS)
    key = field["name"] or field["id"]
    if field["tag"] == "input" and field["type"] in ("radio", "checkbox"):
        if key not in done:
            if not page.evaluate("() => document.activeElement.checked"):
                press(page, "Space")
            if field["type"] == "radio":
                # The arrows choose another option of the group, as they do by keyboard.
                press(page, "ArrowRight")
                press(page, "ArrowLeft")
    elif field["tag"] == "select" and key not in done:
        press(page, "ArrowDown")
    elif field["tag"] in ("input", "textarea") and field["type"] not in ("submit", "hidden"):
        if not page.evaluate("() => document.activeElement.value") and key not in done:
            type_text(page, "3" if field["type"] == "number" else "1990" if "year" in key else "ok")
    done.add(key)


def test_the_panel_survey_by_keyboard_only(server):

    live, data = server
    with chromium() as browser:
        page = open_page(browser, live, data, "ana", f"/surveys/take/{data['token']}/")
        pages = []
        for _ in range(6):
            path = page.url
            pages.append(path)
            if page.query_selector("main form button[type=submit]") is None:
                break
            # Every field of the form, in Tab order, up to the first submit button.
            done: set[str] = set()
            for _ in range(200):
                focus = press(page, "Tab")
                if focus["tag"] == "button" and page.evaluate(
                    "() => document.activeElement.type === 'submit'"
                    " && !!document.activeElement.closest('main form')"
                ):
                    break
                if page.evaluate("() => !!document.activeElement.closest('main form')"):
                    answer_by_keyboard(page, done)
            else:
                raise AssertionError(f"no submit button reached by Tab on {path}")
            # Shift+Tab goes back into the form, Tab returns to the button.
            press(page, "Shift+Tab")
            press(page, "Tab")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_load_state()
        # The consent, the questions, and the thanks: every answer went in by keyboard.
        assert len(pages) == 3
        assert page.query_selector("main form button[type=submit]") is None
        assert "Thank you" in page.inner_text("main")


def test_the_reports_wide_tables_are_named_regions_the_keyboard_reaches(server):
    """On a phone the report's tables scroll sideways: each one that does is a focusable
    region with a name, reached by Tab and scrolled with the arrows."""

    live, data = server
    with chromium() as browser:
        context = browser.new_context(
            locale="en-US", bypass_csp=True, viewport={"width": 320, "height": 800}
        )
        context.add_cookies(
            [{"name": "sessionid", "value": data["cookies"]["org"], "url": live.url}]
        )
        page = context.new_page()
        page.goto(f"{live.url}/deliberations/{data['slug']}/report/")
        wide = page.eval_on_selector_all(
            ".report .table-wrap",
            """wraps => wraps.filter(w => w.scrollWidth > w.clientWidth + 1).map(w => {
                const by = w.getAttribute('aria-labelledby');
                const namer = by ? document.getElementById(by) : null;
                return {tabindex: w.getAttribute('tabindex'), role: w.getAttribute('role'),
                        name: namer ? namer.textContent.trim() : w.getAttribute('aria-label')};
            })""",
        )
        assert wide, "no table scrolls at 320 px: the test would prove nothing"
        for region in wide:
            assert region["tabindex"] == "0" and region["role"] == "region", region
            assert region["name"], region
        tab_to(page, ".report .table-wrap[tabindex='0']")
        before = page.evaluate("() => document.activeElement.scrollLeft")
        press(page, "ArrowRight")
        page.wait_for_function("x => document.activeElement.scrollLeft > x", arg=before)
