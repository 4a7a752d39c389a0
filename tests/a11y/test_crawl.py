"""Every page every role reaches, in Korean and English, on desktop and a phone, in Chromium.

A real server on a reduced demo seed (the demo deliberation with 60 panelists, 6
facilitators, a 200-respondent poll). Each role signs in and starts at its home; the
anonymous citizen starts at the poll's open link and at a completed respondent's pages.
Every same-site GET link is followed breadth-first, one page per URL pattern, so a new
page is crawled as soon as a link reaches it. Each page is checked with axe-core (WCAG
2.1 A/AA; serious and critical violations fail), for horizontal overflow beyond the
viewport, and for UI text in the wrong language. The table is printed and written to
``A11Y_REPORT`` (default ``a11y-crawl-report.md`` at the repository root).
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.a11y.crawl import LANGUAGES, Crawler, pattern, samples, table
from tests.browser import browser_or_skip, chromium
from tests.deliberation.forum.live_server import ROOT, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "gongnon-demo-2021"
ROLES = {
    "organizer": "organizer@example.org",
    "analyst": "analyst@example.org",
    "facilitator": "facilitator01@example.org",
    "expert": "expert@example.org",
    "department": "department@example.org",
    "panelist": "panelist001@example.org",
}

SEED = textwrap.dedent(
    """
    import json
    from django.core.management import call_command
    from deliberation.core import demo as core_demo
    from panels import demo as panels_demo
    from surveys import demo as surveys_demo
    from surveys.models import Invitation, Response, Wave
    from surveys.tokens import hash_token, new_token

    core_demo.FACILITATOR_COUNT = 6
    core_demo.PANELIST_COUNT = 60
    panels_demo.DEMO_PANEL_SIZE = 60
    panels_demo.DEMO_FINISHERS = 54
    panels_demo.DEMO_RESERVES = 6
    panels_demo.DEMO_LOTTERY_SIZE = 50
    surveys_demo.RESPONDENTS = 1000
    call_command("seed_demo", password=PASSWORD, stdout=open("/dev/null", "w"))
    poll = Wave.objects.get(kind=Wave.Kind.POLL)
    # A citizen who completed the poll: their one-time link, known by its token.
    done = Response.objects.filter(wave=poll, status=Response.Status.COMPLETE).first()
    token = new_token()
    if done.invitation_id:
        Invitation.objects.filter(pk=done.invitation_id).update(token_hash=hash_token(token))
    else:
        done.invitation = Invitation.objects.create(wave=poll, token_hash=hash_token(token))
        done.save(update_fields=["invitation"])
    print(json.dumps({"open": f"/surveys/open/{poll.open_link_token}/", "done": token}))
    """
).replace("PASSWORD", repr(PASSWORD))

WORKERS = max(2, min(4, os.cpu_count() or 2))

ROOMS = ("/groups/<id>/room/", "/groups/<id>/console/", "/sessions/<id>/plenary/")
# Failures accepted for now, by (check, rule or text prefix, page pattern); empty means
# every finding fails the test. Entries that no longer occur are printed.
KNOWN: set[tuple[str, str, str]] = set()


def known(key: tuple[str, str, str]) -> bool:
    check, rule, page = key
    return any(
        check == k_check and page == k_page and rule.startswith(k_rule)
        for k_check, k_rule, k_page in KNOWN
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    browser_or_skip()
    server = LiveServer(tmp_path_factory.mktemp("a11y"))
    server.manage("migrate", "--noinput", "-v", "0")
    seeded = server.setup_script(SEED)
    server.start()
    yield server, seeded
    server.stop()


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit] >> nth=0")
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"


def crawl_one(server, seeded, role: str, email: str | None, language: str) -> list:
    """One role in one language, in a browser of its own (Playwright is one per thread)."""

    with chromium() as browser:
        # The page's CSP would refuse the injected axe script; nothing else changes.
        context = browser.new_context(bypass_csp=True)
        crawler = Crawler(context, server.url, role)
        if email:
            sign_in(crawler.page, server.url, email)
            starts = ["/"]
        else:
            token = seeded["done"]
            starts = [
                seeded["open"],
                f"/surveys/take/{token}/",
                f"/surveys/take/{token}/volunteer/",
            ]
            crawler.page.goto(server.url + starts[0])
        crawler.set_language(language)
        findings = crawler.crawl(starts, language)
    return findings


def crawl_all(server, seeded) -> list:
    # A11Y_ROLES / A11Y_LANGUAGES (comma-separated) narrow a crawl run by hand.
    roles = os.environ.get("A11Y_ROLES", "").split(",")
    languages = os.environ.get("A11Y_LANGUAGES", "").split(",")
    jobs = [
        (role, email, language)
        for role, email in [*ROLES.items(), ("citizen", None)]
        for language in LANGUAGES
        if roles == [""] or role in roles
        if languages == [""] or language in languages
    ]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = pool.map(lambda job: crawl_one(server, seeded, *job), jobs)
        return [finding for findings in results for finding in findings]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the pages are the same on either database: the crawl runs on the embedded default",
)
def test_every_reachable_page_passes_axe_reflow_and_language_checks(live):
    server, seeded = live
    started = time.monotonic()
    findings = crawl_all(server, seeded)
    elapsed = time.monotonic() - started

    report = table(findings) + f"\n\nCrawl time {elapsed:.0f} s.\n\n" + samples(findings)
    path = Path(os.environ.get("A11Y_REPORT", ROOT / "a11y-crawl-report.md"))
    path.write_text(report + "\n", encoding="utf-8")
    path.with_suffix(".json").write_text(
        json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("\n" + report)

    pages = {f.page for f in findings}
    if not os.environ.get("A11Y_ROLES"):
        for expected in ("/", "/surveys/take/<slug>/"):
            assert expected in pages, f"the crawl did not reach {expected}"
        assert any("room" in page or "console" in page for page in pages), "no room was crawled"

    failing = {(check, rule, f.page): f for f in findings for check, rule in f.failures()}
    unexpected = sorted(key for key in failing if not known(key))
    gone = sorted(
        k for k in KNOWN if not any(known_one(k, key) for key in failing) and k[2] in pages
    )
    if gone:
        print("Fixed, remove from KNOWN:\n" + "\n".join(map(str, gone)))
    assert not unexpected, "failures (check, rule, page):\n" + "\n".join(map(str, unexpected))


def known_one(entry, key) -> bool:
    return entry[0] == key[0] and entry[2] == key[2] and key[1].startswith(entry[1])


def test_patterns_replace_ids_slugs_and_query_values():
    assert pattern("http://x/panels/seoul-2021-waste/audit/") == "/panels/<slug>/audit/"
    assert (
        pattern("http://x/surveys/waves/12/results/?page=3") == "/surveys/waves/<id>/results/?page="
    )
    assert pattern("http://x/deliberations/") == "/deliberations/"
