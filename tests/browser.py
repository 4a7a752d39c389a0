"""Debian's Chromium under Playwright, and a real server seeded for a browser test module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.deliberation.forum.live_server import LiveServer

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

# The first three elements of the page's main content wider than the viewport: what a
# failing phone-width test names.
WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


def browser_or_skip() -> None:
    """Skip without Playwright or Chromium, unless CI requires the browser tests."""
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


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium, closed on the way out whatever the test did."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def serve(tmp_path_factory: Any, name: str, setup: str) -> Iterator[tuple[LiveServer, Any]]:
    """A server on a fresh database that ``setup`` (a script printing JSON) seeded: the
    body of a module-scoped fixture, which yields the server and what the script printed."""
    browser_or_skip()
    live = LiveServer(tmp_path_factory.mktemp(name))
    data = live.setup_script(setup)
    live.start()
    yield live, data
    live.stop()
