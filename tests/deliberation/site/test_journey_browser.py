"""End to end: an organizer's journey in a real browser against a real server process.

The first organizer of a new installation signs in with a code sent by e-mail and
invites a second organizer to the team by e-mail; the second opens the link in that
e-mail, signs in with a code and runs a deliberation for a city of their own to its PDF
report: regions and districts, population margins, a poll questionnaire and its wave,
ten citizens through the open link who volunteer, a survey firm's file with two bad
rows, weighting, the pool, quotas, selection, the public draw, invitations that the
drawn citizens confirm or decline, a plenary session with two groups whose facilitator
and panelists talk and agree a recommendation, a panel survey before and one after, and
the report with its recommendations and attendance, then its PDF. From the pages alone:
no /admin/, no command after the installation's `first_organizer`. E-mails are read
where the console backend writes them, the server's output; background work (imports,
selection, the PDF) runs in a real worker process.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser import browser_or_skip, chromium
from tests.deliberation.forum.live_server import LiveServer
from tests.deliberation.forum.test_room_browser import (
    send,
    wait_connected,
    wait_for_text,
)

pytestmark = pytest.mark.browser

FIRST = "first@city.example"
SECOND = "second@city.example"
FACILITATOR = "facilitator@city.example"
SLUG = "chorok-city-bus-route-reform"
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
# A survey firm's file of the same poll: two rows are wrong (an answer code 9 on a
# 5-point scale, a birth year in the future), six are imported.
FIRM_FILE = """id,지역,성별,출생연도,reform
F01,해오름동,여성,1948,4
F02,노을동,남성,1990,5
F03,별빛동,여성,1972,3
F04,새벽동,남성,1969,9
F05,별빛동,여성,1995,2
F06,해오름동,남성,2030,4
F07,노을동,여성,1960,1
F08,별빛동,남성,1983,4
"""
PANEL_SIZE = 6
RECOMMENDATION = (
    "간선 노선은 배차 간격을 10분 이내로 유지하고, 지선은 마을버스와 환승을 무료로 한다."
)
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
    # Installing Gongnon: the one command, which names the first organizer.
    server.manage("first_organizer", FIRST, "--name", "First Organizer")
    server.start()
    server.start_worker()
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


def wait_for_main_text(page, text: str, url: str, timeout: float = 60.0) -> str:
    """Reload a page that shows background work until it says ``text``."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        try:
            page.goto(url)
            main = page.inner_text("main")
        except PlaywrightError:
            # The page's own status poll reloads it when the job ends, which can cut
            # this navigation short; read the page again.
            main = ""
        if text in main:
            return main
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared on {url}:\n{main}")
        time.sleep(0.5)


@dataclass
class Journey:
    """What the test carries from step to step: the server, the mailbox and the people."""

    server: LiveServer
    mailbox: Mailbox
    browser: object
    first: object = None
    second: object = None
    setup: str = ""
    # pseudonym -> e-mail address of the drawn seats, and who declined.
    seats: dict[str, str] = field(default_factory=dict)
    declined: str = ""
    panelists: dict[str, object] = field(default_factory=dict)

    def page(self):
        return self.browser.new_context(locale="ko-KR").new_page()

    def open(self, page, path: str):
        return page.goto(self.server.url + path)

    def follow_mail_link(self, page, mail: str) -> None:
        """Open the sign-in link an e-mail carries (the server wrote its own address in it)."""
        link = re.search(r"(http://\S+/accounts/login/code/\?email=\S+)", mail).group(1)
        page.goto(self.server.url + link[link.index("/accounts/") :])
        sign_in_with_code(page, self.mailbox, page.input_value("input[name=email]"))
        if "/accounts/name/" in page.url:
            # A first sign-in asks for the name others will see; the default is kept.
            page.click("button[value=keep]")
            page.wait_for_load_state()


def invite_the_second_organizer(j: Journey) -> None:
    first = j.first = j.page()
    j.open(first, "/accounts/login/code/")
    first.fill("input[name=email]", FIRST)
    sign_in_with_code(first, j.mailbox, FIRST)
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
    j.mailbox.mark()
    submit(first, "form:has(input[name=email])")
    assert SECOND in first.inner_text("main")
    invitation = j.mailbox.next_to(SECOND)
    assert "한빛시 공론화 준비" in invitation

    # The second organizer opens the link from the e-mail.
    j.second = j.page()
    j.follow_mail_link(j.second, invitation)


def set_up_the_city(j: Journey) -> None:
    second = j.second
    j.open(second, "/deliberations/")
    second.click("main >> text=새 공론화")
    second.fill("input[name=title]", "초록시 시내버스 노선 개편 공론화")
    second.fill("input[name=title_en]", "Chorok City bus route reform")
    second.fill("textarea[name=agenda]", "시내버스 노선을 간선·지선 체계로 개편해야 하는가?")
    second.fill("input[name=city]", "초록시")
    submit(second)
    assert f"/deliberations/{SLUG}/setup/" in second.url
    j.setup = second.url

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
    for cell, share in SHARES.items():
        second.fill(f"input[name=shares-share-{cell}]", share)
    assert second.locator("text=합계: 100.0%").count() == 3
    submit(second, "form:has(input.share-input)")
    margins_page = second.inner_text("main")
    assert "모집단 분포를 저장했습니다." in margins_page
    for name, _, _ in REGIONS:
        assert name in margins_page

    # The set-up page counts the step done and names the next one.
    second.goto(j.setup)
    assert "비율 10개" in second.inner_text("main ol.journey")


def run_the_poll(j: Journey) -> None:
    """A questionnaire of one question, its wave with an open link, ten citizens."""
    second = j.second
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
    second.goto(j.setup)
    second.click("main ol.journey >> text=여론조사 설문지")
    second.click("main >> text=새 조사 차수")
    second.select_option("select[name=questionnaire]", index=1)
    second.select_option("select[name=kind]", "poll")
    second.fill("input[name=label]", "P1")
    second.fill("input[name=title]", "초록시 버스 노선 시민 여론조사")
    submit(second)
    # Every citizen here comes from one address, so the organizer raises that limit.
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
        citizen = j.page()
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

    second.goto(j.setup)
    assert f"완료 응답 {len(RESPONDENTS)}건" in second.inner_text("main ol.journey")


def import_the_firm_file_and_weight(j: Journey, tmp_path: Path) -> None:
    """The firm's file: checked in the worker, two bad rows named, the rest imported."""
    second = j.second
    second.click("main ol.journey >> text=여론조사 실사")
    second.click("main p >> text=가져오기")
    upload = tmp_path / "chorok-firm.csv"
    upload.write_text(FIRM_FILE, encoding="utf-8")
    second.set_input_files("input[name=file]", str(upload))
    submit(second)
    # The Korean headers are matched to the questionnaire's fields.
    mapping = {
        name: second.input_value(f"select[name={name}]") for name in ("c0", "c1", "c2", "c3")
    }
    assert mapping == {"c0": "respondent_id", "c1": "district", "c2": "gender", "c3": "birth_year"}
    submit(second)
    report = wait_for_main_text(second, "잘못된 행", second.url)
    assert "“9”은(는) 올바른 응답 코드가 아닙니다." in report
    assert "올바른 출생 연도가 아닙니다." in report
    second.check("input[name=skip_invalid]")
    submit(second)
    done = wait_for_main_text(second, "가져오기 완료", second.url)
    assert "새 응답자 6명, 기존 응답자 0명, 건너뛴 잘못된 행 2개" in done

    second.goto(j.setup)
    assert "완료 응답 16건" in second.inner_text("main ol.journey")
    second.click("main ol.journey >> text=가중치 부여")
    second.fill("input[name=cap]", "5")
    submit(second)
    weighting = second.inner_text("main")
    assert "응답자 16명에 가중치를 부여했습니다" in weighting
    # Each region's weighted share is its population share.
    for name, share in zip(
        ("동부", "서부", "북부"), (SHARES["0-0"], SHARES["0-1"], SHARES["0-2"]), strict=True
    ):
        assert re.search(rf"권역\t{name}\t\d+\t{share}\.0\t[\d.]+\t{share}\.0", weighting)


def draw_the_panel(j: Journey) -> None:
    """The pool, quotas from the margins, selection in the worker, the public draw."""
    second = j.second
    second.goto(j.setup)
    # The poll's volunteers join the pool: the creator of a deliberation sees its
    # volunteers' contacts.
    second.click("main ol.journey >> text=자원자 풀")
    second.click("form[action$='/volunteers/to-pool/'] button[type=submit]")
    second.wait_for_load_state()
    second.goto(j.setup)
    assert f"자원자 {len(RESPONDENTS)}명" in second.inner_text("main ol.journey")

    second.click("main ol.journey >> text=시민참여단 할당")
    second.fill("input[name=plan-panel_size]", str(PANEL_SIZE))
    second.fill("input[name=plan-tolerance]", "0.15")
    second.fill("input[name=plan-lottery_size]", "100")
    submit(second, "form:has(input[name=plan-panel_size])")
    submit(second, "form:has(input[value=derive])")
    quotas = second.inner_text("main")
    assert "모집단 비율로 할당을 산출했습니다." in quotas
    assert f"{PANEL_SIZE}명 규모 시민참여단 기준 모집단 비율 ± 0.150" in quotas

    second.goto(j.setup)
    second.click("main ol.journey >> text=선정 확률")
    submit(second)
    compute = wait_for_main_text(second, "최소 선정 확률", second.url, timeout=180)
    assert "leximin" in compute

    second.goto(j.setup)
    second.click("main ol.journey >> text=공개 추첨")
    assert "시민참여단 구성안 100개" in second.inner_text("main")
    second.fill("input[name=public_number]", "041723313842")
    submit(second)
    audit = second.inner_text("main")
    assert "시민참여단을 추첨했습니다." in audit
    assert f"자원자 {PANEL_SIZE}명" in audit
    assert "041723313842" in audit


def invite_and_confirm(j: Journey) -> None:
    """Invitations by e-mail; five drawn citizens confirm on their home page, one declines."""
    second = j.second
    second.goto(j.setup)
    second.click("main ol.journey >> text=초대와 참여 확정")
    rows = second.eval_on_selector_all(
        "main table.panel-table tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))",
    )
    j.seats = {row[1]: row[4] for row in rows}
    assert len(j.seats) == PANEL_SIZE
    j.mailbox.mark()
    submit(second, "form[action$='/panel/invite/']")
    assert f"초대 메일 {PANEL_SIZE}건을 보냈습니다." in second.inner_text("main")
    invitations = {pseudonym: j.mailbox.next_to(email) for pseudonym, email in j.seats.items()}

    j.declined = sorted(j.seats)[-1]
    for pseudonym, mail in invitations.items():
        assert "공개 추첨에서 선정되셨습니다" in mail
        page = j.page()
        j.follow_mail_link(page, mail)
        assert "상태: 초대됨" in page.inner_text("main")
        answer = "decline" if pseudonym == j.declined else "confirm"
        page.click(f"button[value={answer}]")
        page.wait_for_load_state()
        assert "감사합니다. 응답이 기록되었습니다." in page.inner_text("main")
        j.panelists[pseudonym] = page

    second.reload()
    counts = second.inner_text("main")
    assert f"참여 확정 {PANEL_SIZE - 1}" in counts
    assert "참여 거절 1" in counts


def answer_panel_wave(j: Journey, label: str, kind: str, title: str, answers: dict) -> None:
    """A panel survey: the organizer opens it, every confirmed panelist answers from home."""
    second = j.second
    second.goto(j.setup)
    second.click("main ol.journey >> text=시민참여단 설문조사")
    second.click("main >> text=새 조사 차수")
    second.select_option("select[name=questionnaire]", index=1)
    second.select_option("select[name=kind]", kind)
    second.fill("input[name=label]", label)
    second.fill("input[name=title]", title)
    submit(second)
    assert "공개 링크, 할당, 초대 링크는 쓰지 않습니다" in second.inner_text("main")
    second.check("input[name=is_open]")
    submit(second)
    assert "실사 설정을 저장했습니다." in second.inner_text("main")

    for pseudonym, page in j.panelists.items():
        if pseudonym == j.declined:
            continue
        j.open(page, "/")
        assert f"{title} · 진행 중" in page.inner_text("main")
        page.click(f"main a:has-text('{title}')")
        page.check("input[name=consent]")
        page.check("input[name=sensitive_consent]")
        submit(page)
        page.check(f"input[name=reform][value='{answers[pseudonym]}']")
        page.click("button[value=submit]")
        page.wait_for_load_state()
        assert "응답이 접수되었습니다." in page.inner_text("main")
        j.open(page, "/")
        assert f"{title} · 응답 완료" in page.inner_text("main")


def run_the_forum(j: Journey) -> tuple[str, str]:
    """A facilitator from the team, a plenary with two groups, and a room that talks."""
    second = j.second
    second.goto(j.setup)
    second.click("main ol.journey >> text=팀")
    second.fill("input[name=email]", FACILITATOR)
    second.select_option("select[name=role]", "facilitator")
    second.fill("input[name=name]", "박진행")
    j.mailbox.mark()
    submit(second, "form:has(input[name=email])")
    facilitator = j.page()
    j.follow_mail_link(facilitator, j.mailbox.next_to(FACILITATOR))

    now = datetime.now(ZoneInfo("Asia/Seoul")).replace(second=0, microsecond=0)
    second.goto(j.setup)
    second.click("main ol.journey >> text=세션")
    second.select_option("select[name=kind]", "plenary")
    second.fill("input[name=title]", "초록시 시민대토론회")
    second.fill("input[name=starts_at]", (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    second.fill("input[name=ends_at]", (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    second.select_option("select[name=moderator]", label=f"박진행 ({FACILITATOR})")
    second.fill("input[name=group_count]", "2")
    submit(second)
    assert "세션을 저장했습니다: 초록시 시민대토론회." in second.inner_text("main")
    assert f"이 공론화의 시민참여단원은 {PANEL_SIZE - 1}명입니다." in second.inner_text("main")

    submit(second, "form:has(input[name=seed])")
    first_group = "main article.card >> nth=0"
    second.select_option(
        f"{first_group} >> select[name=facilitator]", label=f"박진행 ({FACILITATOR})"
    )
    submit(second, f"{first_group} >> form.facilitator-pick")
    assert "01조 퍼실리테이터를 저장했습니다." in second.inner_text("main")
    heading = second.inner_text(f"{first_group} >> h3")
    assert "퍼실리테이터: 박진행" in heading
    members = re.findall(r"P\d{4}", second.inner_text(f"{first_group} >> table"))
    assert len(members) >= 2 and j.declined not in members
    ana, ben = (j.panelists[pseudonym] for pseudonym in members[:2])

    # The group room: the facilitator's console and two of the group's panelists.
    j.open(facilitator, "/")
    facilitator.click("main >> text=퍼실리테이터 진행 화면")
    for page in (ana, ben):
        j.open(page, "/")
        page.click("main >> text=01조 (토론방 입장)")
    for page in (facilitator, ana, ben):
        wait_connected(page)
    send(ana, "간선은 빨라지지만 환승이 늘어납니다.")
    send(ben, "환승을 무료로 하면 찬성합니다.")
    send(facilitator, "두 분 의견을 제언으로 정리해 보겠습니다.")
    for page in (facilitator, ana, ben):
        for text in (
            "간선은 빨라지지만 환승이 늘어납니다.",
            "환승을 무료로 하면 찬성합니다.",
            "두 분 의견을 제언으로 정리해 보겠습니다.",
        ):
            wait_for_text(page, text)
    facilitator.fill("#recommendation-input", RECOMMENDATION)
    facilitator.click("#recommendation-form button[type=submit]")
    for page in (ana, ben):
        page.wait_for_selector(f"#recommendations li:has-text('{RECOMMENDATION[:10]}')")
        page.click("#recommendations li button")
        page.wait_for_selector("#recommendations li button[aria-pressed=true]")
    facilitator.wait_for_function(
        "() => /2/.test(document.querySelector('#recommendations li').textContent)",
        timeout=30000,
    )

    # The plenary: the moderator and the same two panelists.
    j.open(facilitator, "/")
    facilitator.click("main >> text=전체 토론방")
    for page in (ana, ben):
        j.open(page, "/")
        page.click("main a:text-is('초록시 시민대토론회')")
    for page in (facilitator, ana, ben):
        wait_connected(page)
    send(ben, "분임 제언을 전체 토론에서 다시 확인하고 싶습니다.")
    send(facilitator, "전체 토론을 시작합니다.")
    for page in (facilitator, ana, ben):
        wait_for_text(page, "분임 제언을 전체 토론에서 다시 확인하고 싶습니다.")
        wait_for_text(page, "전체 토론을 시작합니다.")
    for page in (facilitator, ana, ben):
        j.open(page, "/")
    facilitator.context.close()
    return members[0], members[1]


def read_the_report(j: Journey, tmp_path: Path) -> None:
    """The report shows the forum's output and the waves; its PDF is made in the worker."""
    from pypdf import PdfReader

    second = j.second
    second.goto(j.setup)
    second.click("main ol.journey >> text=보고서")
    report = second.inner_text("main")
    assert "아직 분임 정책제언이 없습니다" not in report
    assert RECOMMENDATION in report
    assert "아직 출석 자료가 없습니다" not in report
    # Two of the panel came to the session's rooms.
    assert re.search(rf"초록시 시민대토론회\t{PANEL_SIZE - 1}\t2\b", report), report
    assert "아직 시민참여단 설문 응답이 없습니다" not in report
    assert f"시민참여단은 {PANEL_SIZE - 1}명입니다." in report

    second.click("#pdf-form button[type=submit]")
    second.wait_for_selector("#pdf-status a", timeout=120000)
    with second.expect_download() as download:
        second.click("#pdf-status a")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", "초록시 시내버스 노선 개편 공론화") in squeezed
    assert re.sub(r"\s+", "", RECOMMENDATION) in squeezed


def test_an_invited_organizer_runs_a_new_deliberation_from_set_up_to_the_pdf(live, tmp_path):

    server, mailbox = live
    with chromium() as browser:
        j = Journey(server=server, mailbox=mailbox, browser=browser)
        invite_the_second_organizer(j)
        set_up_the_city(j)
        run_the_poll(j)
        import_the_firm_file_and_weight(j, tmp_path)
        draw_the_panel(j)
        invite_and_confirm(j)
        confirmed = sorted(p for p in j.seats if p != j.declined)
        answer_panel_wave(
            j, "W1", "pre", "숙의 전 조사", {p: str(2 + k % 3) for k, p in enumerate(confirmed)}
        )
        run_the_forum(j)
        answer_panel_wave(
            j, "W2", "post", "숙의 후 조사", {p: str(3 + k % 3) for k, p in enumerate(confirmed)}
        )
        read_the_report(j, tmp_path)

        # The first organizer's deliberation is not the second's to manage, nor the reverse.
        response = j.open(j.first, f"/panels/{SLUG}/margins/")
        assert response.status == 403
