"""End to end: an organizer's journey in a real browser against a real server process.

The first organizer of a new installation signs in with a code sent by e-mail and
invites a second organizer to the team by e-mail; the second opens the link in that
e-mail, signs in with a code and sets up a deliberation for a city of their own — its
regions and districts, its population margins, a poll questionnaire and its wave — then
ten citizens answer through the open link and volunteer, and the volunteers join the
pool: from the pages alone, no /admin/, no command after the installation's
`first_organizer`. E-mails are read where the console backend writes them, the server's
output.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.deliberation.forum.live_server import LiveServer
from tests.deliberation.forum.test_room_browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip

pytestmark = pytest.mark.browser

FIRST = "first@city.example"
SECOND = "second@city.example"
CODE = re.compile(r"\n([A-Z0-9]{4}-[A-Z0-9]{4})\n")
REGIONS = [
    ("동부", "East", "해오름동, 새벽동"),
    ("서부", "West", "노을동, 달빛동"),
    ("북부", "North", "별빛동"),
]
QUESTION = "시내버스 노선을 간선·지선 체계로 개편하는 데 찬성하십니까?"
# Ten citizens of the poll: district, gender, birth year, answer on the 5-point scale.
RESPONDENTS = [
    ("해오름동", "여성", "1950", "5"),
    ("새벽동", "남성", "1962", "4"),
    ("해오름동", "남성", "1985", "2"),
    ("새벽동", "여성", "1999", "4"),
    ("노을동", "여성", "1971", "3"),
    ("달빛동", "남성", "1958", "1"),
    ("노을동", "남성", "1993", "4"),
    ("달빛동", "여성", "1980", "5"),
    ("별빛동", "여성", "1966", "2"),
    ("별빛동", "남성", "2001", "4"),
]
# Shares in percent by the margins form's fields: regions, gender, age bands.
SHARES = {
    "0-0": "40", "0-1": "35", "0-2": "25",
    "1-0": "49", "1-1": "51",
    "2-0": "18", "2-1": "17", "2-2": "20", "2-3": "20", "2-4": "25",
}  # fmt: skip


class Mailbox:
    """The e-mails the server printed, read from its output."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.seen = 0

    def mark(self) -> None:
        self.seen = self.log.stat().st_size

    def next_to(self, address: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[self.seen :].decode("utf-8", "replace")
            for mail in text.split("Content-Type: text/plain"):
                if f"To: {address}" in mail:
                    return mail
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {address}")


@pytest.fixture
def live(tmp_path):
    browser_or_skip()
    server = LiveServer(tmp_path)
    server.manage("migrate", "--noinput", "-v", "0")
    # Installing Gongnon: the one command, which names the first organizer.
    server.manage("first_organizer", FIRST, "--name", "First Organizer")
    server.start()
    yield server, Mailbox(tmp_path / "server.log")
    server.stop()


def sign_in_with_code(page, mailbox: Mailbox, address: str) -> None:
    """Ask for a code on the page that is open (its address field filled) and enter it."""
    assert page.input_value("input[name=email]") == address
    mailbox.mark()
    page.click("form:has(input[name=email]) button[type=submit]")
    page.wait_for_url("**/login/code/confirm/**")
    code = CODE.search(mailbox.next_to(address)).group(1)
    page.fill("input[name=code]", code)
    page.click("form:has(input[name=code]) button[type=submit]")
    page.wait_for_load_state()


def submit(page, form: str = "main form") -> None:
    page.click(f"{form} button[type=submit] >> nth=0")
    page.wait_for_load_state()


def test_an_invited_organizer_sets_up_a_deliberation_for_a_new_city_from_the_pages(live):
    from playwright.sync_api import sync_playwright

    server, mailbox = live
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        first = browser.new_context(locale="ko-KR").new_page()
        first.goto(server.url + "/accounts/login/code/")
        first.fill("input[name=email]", FIRST)
        sign_in_with_code(first, mailbox, FIRST)
        assert "아직 공론화가 없습니다." in first.inner_text("main")

        # The first organizer's own deliberation, and the second organizer on its team.
        first.click("main >> text=새 공론화")
        first.fill("input[name=title]", "한빛시 공론화 준비")
        first.fill("textarea[name=agenda]", "공론화 준비 회의")
        first.fill("input[name=city]", "한빛시")
        submit(first)
        assert "공론화를 만들었습니다." in first.inner_text("main")
        first.click("main ol.journey >> text=팀")
        first.fill("input[name=email]", SECOND)
        first.select_option("select[name=role]", "organizer")
        first.fill("input[name=name]", "Second Organizer")
        mailbox.mark()
        submit(first, "form:has(input[name=email])")
        assert SECOND in first.inner_text("main")
        invitation = mailbox.next_to(SECOND)
        assert "한빛시 공론화 준비" in invitation
        link = re.search(r"(http://\S+/accounts/login/code/\?email=\S+)", invitation).group(1)

        # The second organizer opens the link from the e-mail.
        second = browser.new_context(locale="ko-KR").new_page()
        second.goto(link.replace("http://127.0.0.1:8000", server.url))
        sign_in_with_code(second, mailbox, SECOND)
        second.goto(server.url + "/deliberations/")
        second.click("main >> text=새 공론화")
        second.fill("input[name=title]", "초록시 시내버스 노선 개편 공론화")
        second.fill("input[name=title_en]", "Chorok City bus route reform")
        second.fill("textarea[name=agenda]", "시내버스 노선을 간선·지선 체계로 개편해야 하는가?")
        second.fill("input[name=city]", "초록시")
        submit(second)
        assert "/deliberations/chorok-city-bus-route-reform/setup/" in second.url
        setup = second.url

        # Regions and districts of the new city.
        second.click("main ol.journey >> text=모집단 분포")
        assert "먼저 권역을 추가하세요." in second.inner_text("main")
        second.click("main nav >> text=권역")
        for name, name_en, districts in REGIONS:
            second.fill("input[name=new-name]", name)
            second.fill("input[name=new-name_en]", name_en)
            second.fill("textarea[name=new-districts]", districts)
            second.click("button[value=add]")
            second.wait_for_load_state()
        assert "권역 3개" in second.inner_text("main")
        districts = second.locator("textarea[name^=region-][name$=-districts]")
        assert [districts.nth(k).input_value() for k in range(3)] == [
            "\n".join(d.strip() for d in r[2].split(",")) for r in REGIONS
        ]

        # The margins, through the structured form with its running sums.
        second.click("main nav >> text=모집단")
        for field, share in SHARES.items():
            second.fill(f"input[name=shares-share-{field}]", share)
        assert second.locator("text=합계: 100.0%").count() == 3
        submit(second, "form:has(input.share-input)")
        margins_page = second.inner_text("main")
        assert "모집단 분포를 저장했습니다." in margins_page
        for name, _, _ in REGIONS:
            assert name in margins_page

        # The set-up page counts the step done and names the next one.
        second.goto(setup)
        journey = second.inner_text("main ol.journey")
        assert "비율 10개" in journey

        # The poll: a questionnaire of one question, and its wave with an open link. Every
        # citizen here comes from one address, so the organizer raises that wave's limit.
        second.click("main ol.journey >> text=여론조사 설문지")
        second.click("main >> text=새 설문지")
        second.fill("input[name=title]", "초록시 버스 노선 여론조사")
        submit(second)
        second.click("main >> text=문항 추가")
        second.fill("input[name=code]", "reform")
        second.select_option("select[name=kind]", "likert")
        second.fill("textarea[name=text_ko]", QUESTION)
        second.fill("textarea[name=text_en]", "Do you support trunk and feeder bus lines?")
        submit(second)
        assert "문항을 저장했습니다." in second.inner_text("main")
        second.goto(setup)
        second.click("main ol.journey >> text=여론조사 설문지")
        second.click("main >> text=새 조사 차수")
        second.select_option("select[name=questionnaire]", index=1)
        second.select_option("select[name=kind]", "poll")
        second.fill("input[name=label]", "P1")
        second.fill("input[name=title]", "초록시 버스 노선 시민 여론조사")
        submit(second)
        second.check("input[name=is_open]")
        second.check("input[name=open_link]")
        second.fill("input[name=open_link_per_address]", str(len(RESPONDENTS)))
        submit(second, "form:has(input[name=open_link])")
        fieldwork = second.inner_text("main")
        assert "실사 설정을 저장했습니다." in fieldwork
        open_link = re.search(r"공개 링크: (\S+)", fieldwork).group(1)

        # Ten citizens, each in a browser of their own, answer and volunteer; the consent
        # page names the sensitive data the questionnaire asks for.
        for k, (district, gender, birth_year, answer) in enumerate(RESPONDENTS):
            citizen = browser.new_context(locale="ko-KR").new_page()
            citizen.goto(open_link)
            assert "정치적 견해" in citizen.inner_text("main")
            citizen.check("input[name=consent]")
            citizen.check("input[name=sensitive_consent]")
            citizen.select_option("select[name=district]", district)
            citizen.check(f"input[name=gender][value={gender}]")
            citizen.fill("input[name=birth_year]", birth_year)
            submit(citizen)
            assert "시내버스 노선을 간선·지선 체계로" in citizen.inner_text("main")
            citizen.check(f"input[name=reform][value='{answer}']")
            citizen.click("button[value=submit]")
            citizen.wait_for_load_state()
            assert "응답이 접수되었습니다." in citizen.inner_text("main")
            citizen.click("main >> text=시민참여단 참여 신청")
            citizen.check("input[name=agree]")
            citizen.fill("input[name=name]", f"시민 {k + 1:02d}")
            citizen.fill("input[name=email]", f"citizen{k + 1:02d}@chorok.example")
            submit(citizen)
            citizen.context.close()

        second.goto(setup)
        assert f"완료 응답 {len(RESPONDENTS)}건" in second.inner_text("main ol.journey")

        # The poll's volunteers join the pool: the creator of a deliberation sees its
        # volunteers' contacts.
        second.click("main ol.journey >> text=자원자 풀")
        second.click("form[action$='/volunteers/to-pool/'] button[type=submit]")
        second.wait_for_load_state()
        second.goto(setup)
        assert f"자원자 {len(RESPONDENTS)}명" in second.inner_text("main ol.journey")

        # The first organizer's deliberation is not the second's to manage, nor the reverse.
        response = first.goto(server.url + "/panels/chorok-city-bus-route-reform/margins/")
        assert response.status == 403
        browser.close()
