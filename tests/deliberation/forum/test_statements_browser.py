"""The statements and the opinion map on the room page, in a real browser: the facilitator
turns statements on, accepts one, a panelist votes on it by keyboard, the map appears."""

from __future__ import annotations

import pytest

from tests.browser import chromium
from tests.deliberation.forum.test_room_browser import (  # noqa: F401  (fixtures)
    open_room,
    server,
    set_up_database,
)

pytestmark = pytest.mark.browser


def test_a_statement_is_moderated_voted_on_by_keyboard_and_mapped(server):  # noqa: F811

    live, data = server
    group = data["group"]
    with chromium() as browser:
        facil, _ = open_room(browser, live, data, "facil", f"/groups/{group}/console/")
        ana, ana_sent = open_room(browser, live, data, "ana", f"/groups/{group}/room/")
        assert ana.is_hidden("#statements-section")

        facil.click("#statements-toggle")
        ana.wait_for_selector("#statements-body", state="visible", timeout=30000)
        # Turned on, each page reads the statements from a fresh welcome: it reconnects.
        for page in (facil, ana):
            page.wait_for_selector("#statements-body", state="visible", timeout=30000)
            page.wait_for_timeout(1500)
            page.wait_for_selector("#connection-status.is-up", timeout=30000)
        facil.fill("#statement-input", "재활용 선별장을 늘려야 한다")
        facil.click("#statement-form button[type=submit]")
        facil.click("#statement-pending button:has-text('Accept')", timeout=30000)

        ana.wait_for_selector("#statement-current .statement-text", timeout=30000)
        assert (
            ana.text_content("#statement-current .statement-text") == "재활용 선별장을 늘려야 한다"
        )
        ana.focus("#statement-current button:has-text('Agree')")
        ana.keyboard.press("Enter")
        ana.wait_for_function(
            "() => !document.querySelector('#statement-current .statement-text')", timeout=30000
        )
        votes = [f for f in ana_sent if f["type"] == "statement_vote"]
        assert len(votes) == 1 and votes[0]["vote"] == 1

        facil.wait_for_selector("#opinion-map-figure svg[role=img]", timeout=30000)
        assert facil.text_content("#opinion-map-figure svg title") == "Opinion map"
        assert "1 participants" in facil.text_content("#opinion-map-figure svg desc")
        assert facil.get_attribute("#opinion-map-status", "aria-live") == "polite"
        assert facil.locator("#opinion-map-tables caption").count() >= 1
