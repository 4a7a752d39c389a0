"""Panel pages say what they mean in the page's language: no status keys, timing keys,
English diagnoses or feature keys (region, gender) on a Korean page.

The plain modules report problems as codes with parameters (`MarginIssue`, the
feasibility `Conflict`); the pages turn them into sentences in Korean or English.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panels import actions
from panels.margins import parse_margins
from panels.models import PoolImport, Region
from panels.pool_file import PoolIssue
from tests.factories import DeliberationFactory
from tests.panels.flow import computed_run
from tests.panels.pool_helpers import BALANCED_QUOTAS, add_pool, set_quotas

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page(client, name: str, deliberation, language: dict) -> str:
    return client.get(reverse(name, args=[deliberation.slug]), **language).content.decode()


def summary(html: str, term: str) -> str:
    return re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.S)[1]


@pytest.fixture
def drawn(organizer, db):
    run = computed_run(organizer)
    actions.do_draw(run, "20211005", actor=organizer)
    return run.deliberation


def test_the_overview_names_volunteer_and_seat_statuses_in_words(client, organizer, drawn):
    client.force_login(organizer)
    korean = page(client, "panels:overview", drawn, KO)
    assert summary(korean, "자원자") == "선정 가능: 30, 선정됨: 10"
    assert summary(korean, "시민참여단") == "선정됨(초대 전): 10"
    english = page(client, "panels:overview", drawn, EN)
    assert summary(english, "Volunteers") == "Available: 30, Selected: 10"
    assert summary(english, "Panel") == "Drawn, not yet invited: 10"


def test_the_computation_names_its_timed_steps_in_words(client, organizer, drawn):
    client.force_login(organizer)
    korean = summary(page(client, "panels:compute", drawn, KO), "소요 시간(초)")
    assert re.fullmatch(
        r"실행 가능성 확인: [\d.]+, 선정 확률 계산\(LEXIMIN\): [\d.]+, "
        r"시민참여단 구성안 추첨: [\d.]+",
        korean,
    ), korean
    english = summary(page(client, "panels:compute", drawn, EN), "Timings (seconds)")
    assert re.fullmatch(
        r"Feasibility check: [\d.]+, Selection probabilities \(LEXIMIN\): [\d.]+, "
        r"Lottery of panels: [\d.]+",
        english,
    ), english
    assert "_seconds" not in korean + english


@pytest.fixture
def infeasible(db):
    deliberation = DeliberationFactory()
    Region.objects.create(deliberation=deliberation, name="도심권", name_en="Downtown")
    add_pool(deliberation, {("도심권", "남성"): 2, ("동북권", "여성"): 20})
    set_quotas(
        deliberation,
        {
            ("region", "도심권"): (5, 10),
            ("region", "동북권"): (7, 10),
            ("gender", "남성"): (0, 10),
            ("gender", "여성"): (0, 10),
        },
        10,
    )
    return deliberation


def conflicts(html: str) -> list[str]:
    listed = re.search(r'<ul class="conflicts">(.*?)</ul>', html, re.S)[1]
    return re.findall(r"<li>(.*?)</li>", listed)


def test_the_feasibility_diagnosis_is_in_the_page_language(client, organizer, infeasible):
    client.force_login(organizer)
    korean = conflicts(page(client, "panels:feasibility", infeasible, KO))
    assert korean == [
        "권역 도심권: 자원자가 2명인데 할당은 최소 5명을 요구합니다.",
        "권역의 최소 인원을 합하면 12명으로, 시민참여단 규모 10명보다 많습니다.",
    ]
    english = conflicts(page(client, "panels:feasibility", infeasible, EN))
    assert english == [
        "Region Downtown: 2 volunteers, but the quotas need at least 5.",
        "The minimums for Region add up to 12, more than the panel size 10.",
    ]


def test_a_deliberation_without_volunteers_enough_is_told_so_in_korean(client, organizer, db):
    deliberation = DeliberationFactory()
    add_pool(deliberation, {("도심권", "남성"): 3})
    set_quotas(deliberation, {("gender", "남성"): (0, 10)}, 10)
    client.force_login(organizer)
    korean = conflicts(page(client, "panels:feasibility", deliberation, KO))
    assert korean[0] == "자원자 풀에 자원자가 3명뿐인데 시민참여단에는 10명이 필요합니다."


def test_margin_problems_travel_as_codes_with_parameters():
    _, issues = parse_margins("feature,value,share\nregion,도심권,0.40\nregion,동북권,0.55\n")
    assert [(i.code, dict(i.params)) for i in issues] == [
        ("shares_sum", {"feature": "region", "total": pytest.approx(0.95)})
    ]
    # The English sentence remains for logs and commands.
    assert issues[0].message == "Shares for 'region' add up to 0.950000, not 1."


def post_margins(client, deliberation, text: str, language: dict) -> list[str]:
    url = reverse("panels:margins", args=[deliberation.slug])
    html = client.post(url, {"text": text}, **language).content.decode()
    listed = re.search(r'<div class="form-errors"[^>]*>.*?<ul>(.*?)</ul>', html, re.S)[1]
    return re.findall(r"<li>(.*?)</li>", listed)


def test_margin_problems_are_said_in_the_page_language(client, organizer, db):
    deliberation = DeliberationFactory()
    client.force_login(organizer)
    text = "feature,value,share\nregion,도심권,0.40\nregion,동북권,0.55\ngender,여성,abc\n"
    assert post_margins(client, deliberation, text, KO) == [
        "4행: 비율 “abc”이(가) 숫자가 아닙니다.",
        "권역의 비율 합계가 1이 아니라 0.95입니다.",
    ]
    assert post_margins(client, deliberation, text, EN) == [
        "Row 4: The share “abc” is not a number.",
        "The shares of Region add up to 0.95, not 1.",
    ]


def pool_reasons(client, deliberation, data: str, language: dict) -> list[str]:
    url = reverse("panels:pool", args=[deliberation.slug])
    client.post(url, {"file": SimpleUploadedFile("pool.csv", data.encode())}, **language)
    for pk in PoolImport.objects.filter(status="queued").values_list("pk", flat=True):
        actions.import_pool_file(pk)
    html = client.get(url, **language).content.decode()
    rows = re.search(r'<div class="form-errors".*?<tbody>(.*?)</tbody>', html, re.S)[1]
    return [re.findall(r"<td>(.*?)</td>", row)[3] for row in re.findall(r"<tr>(.*?)</tr>", rows)]


def test_the_problems_of_a_pool_file_are_said_in_the_page_language(client, organizer, db):
    deliberation = DeliberationFactory()
    set_quotas(deliberation, BALANCED_QUOTAS, 10)
    client.force_login(organizer)
    data = (
        "id,name,email,phone,region,gender\n"
        "a1,,x@example.org,,도심권,남성\n"
        "a1,,X@example.org,,강남,여성\n"
        ",,not-an-address,,동북권,여성\n"
    )
    assert pool_reasons(client, deliberation, data, KO) == [
        "2행과 같은 ID입니다.",
        "알 수 없는 값입니다(쓸 수 있는 값: 도심권, 동북권).",
        "2행과 같은 사람입니다.",
        "ID가 비어 있습니다.",
        "이메일 주소가 아닙니다.",
    ]
    assert pool_reasons(client, deliberation, data, EN) == [
        "The same id as row 2.",
        "Unknown value (known values: 도심권, 동북권).",
        "The same person as row 2.",
        "The id is empty.",
        "Not an e-mail address.",
    ]


def test_a_pool_problem_stored_before_it_had_a_code_keeps_its_reason():
    from panels.diagnoses import pool_issue

    stored = PoolIssue(3, "region", "강남", "Unknown value (known values: 도심권).")
    assert pool_issue(stored) == "Unknown value (known values: 도심권)."
