"""The room's words: removing a person reads as sending them out, not deleting; a
recommendation's supporters are counted in a phrase of their own, apart from its button.

The count is drawn by the room's own script (render/recommendations.js) in a real
browser, on a page that holds only the recommendations list and the translated texts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from deliberation.forum.views import room_strings
from tests.browser import browser_or_skip, chromium

STATIC = Path(__file__).resolve().parents[3] / "static"
ORIGIN = "http://room.test"


def test_removing_a_participant_reads_as_sending_them_out_of_the_room():
    with translation.override("ko"):
        strings = room_strings()
    assert strings["remove"] == "내보내기"
    with translation.override("en"):
        assert room_strings()["remove"] == "Remove"


def test_the_supporters_count_is_a_phrase_with_its_number():
    with translation.override("ko"):
        assert room_strings()["supporters"] % {"count": 1} == "지지 1명"
    with translation.override("en"):
        assert room_strings()["supporters"] % {"count": 3} == "Supporters: 3"


PAGE = """<!DOCTYPE html><html lang="{language}"><body>
<script type="application/json" id="room-strings">{strings}</script>
<ul id="recommendations"></ul>
<script type="module">
import {{ room }} from "/static/js/room/state.js";
import {{ renderRecommendations }} from "/static/js/room/render/recommendations.js";
room.recommendations.set(7, {{ id: 7, text: "재활용 확대", supporters: 1, supported: false }});
room.recommendations.set(8, {{ id: 8, text: "소각장 공론화", supporters: 12, supported: true }});
renderRecommendations();
window.rendered = true;
</script></body></html>"""


def rendered_items(language: str) -> list[str]:

    with translation.override(language):
        strings = json.dumps(room_strings(), ensure_ascii=False).replace("</", "<\\/")
    html = PAGE.format(language=language, strings=strings)

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif path.startswith("/static/js/room/") and ".." not in path:
            file = STATIC / path.removeprefix("/static/")
            route.fulfill(body=file.read_text(encoding="utf-8"), content_type="text/javascript")
        else:
            route.fulfill(status=404, body="")

    with chromium() as browser:
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(ORIGIN + "/")
        page.wait_for_function("window.rendered === true")
        items = page.eval_on_selector_all(
            "#recommendations li", "lis => lis.map(li => li.innerText)"
        )
    return items


@pytest.mark.browser
def test_a_recommendation_shows_its_count_apart_from_its_support_button():
    browser_or_skip()
    assert rendered_items("ko") == [
        "재활용 확대 · 지지 1명 지지",
        "소각장 공론화 · 지지 12명 지지 철회",
    ]
    assert rendered_items("en") == [
        "재활용 확대 · Supporters: 1 Support",
        "소각장 공론화 · Supporters: 12 Withdraw support",
    ]
