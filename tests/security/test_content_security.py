"""A Content-Security-Policy without unsafe-inline, and pages and charts that need none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from deliberation.report.analysis import analyse
from deliberation.report.document import report_context
from panels.charts import comparison_svg
from panels.representativeness import compare
from tests.deliberation.report.test_report import report_data, synthetic_waves
from tests.factories import ForumGroupFactory, UserFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE = re.compile(r"""\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
# The printable report is rendered to PDF by WeasyPrint, never served as a page.
NOT_SERVED = {"report/document.html"}


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_pages_carry_a_policy_without_unsafe_inline_and_a_permissions_policy(client):
    response = client.get(reverse("account_login"))
    rules = policy(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert rules["script-src"].startswith("'self' 'nonce-")
    assert rules["style-src"] == "'self'" and rules["object-src"] == "'none'"
    assert rules["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    other = policy(client.get(reverse("account_login")))
    assert other["script-src"] != rules["script-src"]  # a fresh nonce per page


@pytest.mark.django_db
def test_the_rooms_one_inline_script_carries_the_nonce(client):
    group = ForumGroupFactory(facilitator=UserFactory(role="facilitator"))
    client.force_login(group.facilitator)
    response = client.get(reverse("forum:group_console", args=[group.pk]))
    nonce = policy(response)["script-src"].split("'nonce-")[1].rstrip("'")
    body = response.content.decode()
    assert f'<script type="importmap" nonce="{nonce}">' in body
    assert not INLINE.search(body)


@pytest.mark.parametrize(
    "template",
    sorted(
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if str(p.relative_to(TEMPLATES)) not in NOT_SERVED
    ),
)
def test_no_served_template_has_an_inline_style_or_handler(template):
    assert not INLINE.search((TEMPLATES / template).read_text(encoding="utf-8")), template


def test_charts_placed_in_pages_use_no_inline_style():
    context = report_context(analyse(report_data(waves=synthetic_waves())))
    svgs = [block["svg"] for block in context["waves"]["likert"]]
    svgs += [block["svg"] for block in context["waves"]["slopes"]]
    comparisons = compare({"g": {"a": 0.5, "b": 0.5}}, {"g": {"a": 5}}, {"g": {"a": 2, "b": 1}})
    svgs.append(
        comparison_svg(comparisons, dict.fromkeys(("population", "pool", "panel", "share"), "x"))
    )
    for svg in svgs:
        assert svg.lstrip().startswith("<svg") or "<svg" in svg
        assert not INLINE.search(svg)
        assert 'fill="' in svg
