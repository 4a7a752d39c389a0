"""Crawl every page a role reaches by GET links and check each in a real browser.

For each page, in each language and at each viewport: axe-core (vendored, WCAG 2.1 A/AA)
violations by impact, horizontal overflow beyond the viewport, and UI text in the wrong
language — Hangul outside ``lang="ko"`` on English pages, English words outside
``lang="en"`` (or ``translate="no"``, code) on Korean pages.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_VERSION = re.search(r"axe v([\d.]+)", AXE.read_text(encoding="utf-8")[:200]).group(1)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("critical", "serious")
VIEWPORTS = {"desktop": (1280, 800), "phone": (375, 812)}
LANGUAGES = ("ko", "en")

# Links the crawl does not follow: they sign out, download, export or leave the pages.
SKIP_PATH = re.compile(
    r"(logout|/export|/exports/.+|download|\.(csv|xlsx|pdf|json|zip|txt)$|/admin/|/i18n/"
    r"|/static/|/media/|/materials/\d+/file)",
    re.IGNORECASE,
)
NUMERIC = re.compile(r"^\d+$")
TOKENISH = re.compile(r"\d|^[A-Za-z0-9_-]{20,}$")

# Words on Korean pages that are not English UI text: names of things, formats, units.
ALLOWED_ASCII = {
    "Gongnon",
    "CSV",
    "PDF",
    "XLSX",
    "JSON",
    "LEXIMIN",
    "HTTPS",
    "KWCAG",
    "WCAG",
}

CHECK_SCRIPT = r"""
({checkKorean, checkEnglish, allowed}) => {
  const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/;
  const WORD = /[A-Za-z]{4,}/;
  const EMAIL = /\S+@\S+/g;
  const URL = /(https?:\/\/|\/)\S*/g;
  const allowedWords = new Set(allowed);
  const skipTags = new Set(
    ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "CODE", "KBD", "SAMP", "PRE", "METADATA"]);
  const wrong = [];
  function langOf(el) {
    const marked = el.closest("[lang]");
    return marked ? marked.getAttribute("lang").toLowerCase() : "";
  }
  function exempt(el) {
    for (let node = el; node; node = node.parentElement) {
      if (skipTags.has(node.tagName.toUpperCase())) return true;
      if (node.getAttribute && node.getAttribute("translate") === "no") return true;
    }
    return false;
  }
  function englishWords(text) {
    if (/[^\x00-\x7f]/.test(text)) return false;
    const rest = text.replace(EMAIL, " ").replace(URL, " ");
    const words = rest.match(/[A-Za-z][A-Za-z'-]*/g) || [];
    return words.some((w) => w.length >= 4 && !allowedWords.has(w) && WORD.test(w));
  }
  function judge(el, text, where) {
    text = text.trim();
    if (!text) return;
    const korean = checkKorean && HANGUL.test(text);
    const english = !korean && checkEnglish && englishWords(text);
    if (!korean && !english) return;
    const lang = langOf(el);
    if (exempt(el)) return;
    if ((korean && lang.startsWith("ko")) || (english && lang.startsWith("en"))) return;
    wrong.push({where: path(el) + where, text: text.slice(0, 80), lang});
  }
  function path(el) {
    const parts = [];
    let node = el;
    for (; node && node.tagName !== "BODY" && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) part += "#" + node.id;
      else if (node.classList.length) part += "." + node.classList[0];
      parts.unshift(part);
    }
    return parts.join(">");
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    judge(node.parentElement, node.nodeValue, "");
  }
  for (const el of document.body.querySelectorAll("[aria-label],[title],[placeholder],[alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.hasAttribute(name)) judge(el, el.getAttribute(name), "@" + name);
    }
  }
  // The document's <title> cannot mark a part's language; it is not checked.
  return {
    wrong,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
}
"""

LINKS_SCRIPT = """
() => Array.from(document.querySelectorAll("a[href]"))
  .filter((a) => !a.hasAttribute("download"))
  .map((a) => a.href)
"""


def pattern(url: str) -> str:
    """The page's pattern: ids, slugs and tokens replaced, query values dropped."""
    parts = urlsplit(url)
    segments = []
    for segment in parts.path.split("/"):
        if NUMERIC.match(segment):
            segments.append("<id>")
        elif TOKENISH.search(segment):
            segments.append("<slug>")
        else:
            segments.append(segment)
    result = "/".join(segments)
    if parts.query:
        keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
        result += "?" + urlencode([(key, "") for key in keys])
    return result


@dataclass
class Finding:
    role: str
    page: str
    url: str
    language: str
    viewport: str
    impacts: dict[str, int] = field(default_factory=dict)
    rules: list[tuple[str, str, int]] = field(default_factory=list)  # rule, impact, nodes
    overflow: int = 0  # pixels beyond the viewport
    wrong_language: list[dict] = field(default_factory=list)
    error: str = ""

    def failures(self) -> list[tuple[str, str]]:
        """(check, rule) pairs that fail: serious/critical rules, overflow, wrong language."""
        found = [("axe", rule) for rule, impact, _ in self.rules if impact in FAILING_IMPACTS]
        if self.overflow > 0:
            found.append(("overflow", "overflow"))
        kind = "hangul" if self.language == "en" else "english"
        found += sorted({("language", f"{kind}: {w['text'][:40]}") for w in self.wrong_language})
        if self.error:
            found.append(("error", self.error))
        return found


class Crawler:
    def __init__(self, context, base_url: str, role: str) -> None:
        self.context = context
        self.page = context.new_page()
        # The report computes its analysis on the first view, slowly on a loaded machine.
        self.page.set_default_navigation_timeout(120_000)
        self.base = base_url
        self.role = role
        self.axe = AXE.read_text(encoding="utf-8")

    def set_language(self, language: str) -> None:
        """Choose the language with the header's language form, as a visitor does."""
        page = self.page
        if page.locator("#language-select").count() == 0:
            page.goto(self.base + "/")
        page.select_option("#language-select", language)
        with page.expect_navigation():
            page.click("form.language-form button[type=submit]")
        lang = page.get_attribute("html", "lang")
        assert lang == language, f"the language form did not switch to {language}: {lang}"

    def same_site(self, url: str) -> str | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            return None
        if SKIP_PATH.search(parts.path):
            return None
        return parts._replace(fragment="").geturl()

    def crawl(self, starts: list[str], language: str) -> list[Finding]:
        findings: list[Finding] = []
        seen: set[str] = set()
        queue = deque()
        for start in starts:
            url = self.same_site(self.base + start) or self.base + start
            if pattern(url) not in seen:
                seen.add(pattern(url))
                queue.append(url)
        while queue:
            url = queue.popleft()
            links = self.visit(url, language, findings)
            for link in links:
                link = self.same_site(link)
                if link and pattern(link) not in seen:
                    seen.add(pattern(link))
                    queue.append(link)
        return findings

    def visit(self, url: str, language: str, findings: list[Finding]) -> list[str]:
        page = self.page
        page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS["desktop"], strict=True)))
        try:
            response = page.goto(url, wait_until="load")
        except Exception as error:  # a download starts, or the page does not load
            if "Download is starting" in str(error):
                return []
            findings.append(
                Finding(self.role, pattern(url), url, language, "desktop", error=str(error)[:80])
            )
            return []
        content_type = (response.headers.get("content-type", "") if response else "") or ""
        if "text/html" not in content_type:
            return []
        if response.status >= 400:
            findings.append(
                Finding(
                    self.role,
                    pattern(url),
                    url,
                    language,
                    "desktop",
                    error=f"HTTP {response.status}",
                )
            )
            return []
        if urlsplit(page.url).path != urlsplit(url).path and self.same_site(page.url) is None:
            return []
        self.settle()
        links = page.evaluate(LINKS_SCRIPT)
        for viewport, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            # Let the page's resize handlers run (a wide table becomes a scroll region).
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")
            # The text is the same at every width: its language is checked once, on desktop.
            findings.append(self.check(page.url, language, viewport, text=viewport == "desktop"))
        return links

    def settle(self) -> None:
        """Rooms draw themselves after the socket's welcome: wait until they have."""
        page = self.page
        if page.locator("#room[data-ws-path]").count():
            page.wait_for_selector("#connection-status.is-up", timeout=15000)

    def check(self, url: str, language: str, viewport: str, text: bool = True) -> Finding:
        page = self.page
        finding = Finding(self.role, pattern(url), url, language, viewport)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self.axe)
        result = page.evaluate(
            """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"]})""",
            AXE_TAGS,
        )
        for violation in result["violations"]:
            impact = violation.get("impact") or "minor"
            finding.impacts[impact] = finding.impacts.get(impact, 0) + len(violation["nodes"])
            finding.rules.append((violation["id"], impact, len(violation["nodes"])))
        measured = page.evaluate(
            CHECK_SCRIPT,
            {
                "checkKorean": text and language == "en",
                "checkEnglish": text and language == "ko",
                "allowed": sorted(ALLOWED_ASCII),
            },
        )
        finding.overflow = max(0, measured["scrollWidth"] - measured["innerWidth"])
        finding.wrong_language = measured["wrong"]
        return finding


def table(findings: list[Finding]) -> str:
    """One row per role × page × language × viewport: violations by impact, overflow, language."""
    header = (
        "| role | page | lang | viewport | critical | serious | moderate | minor "
        "| overflow px | wrong-language nodes | failing rules |"
    )
    lines = [header, "|" + "---|" * 11]
    for f in sorted(findings, key=lambda f: (f.role, f.page, f.language, f.viewport)):
        failing = ", ".join(
            f"{rule}({impact[0]}{nodes})"
            for rule, impact, nodes in f.rules
            if impact in FAILING_IMPACTS
        )
        if f.error:
            failing = (failing + " " + f.error).strip()
        lines.append(
            f"| {f.role} | {f.page} | {f.language} | {f.viewport} "
            f"| {f.impacts.get('critical', 0)} | {f.impacts.get('serious', 0)} "
            f"| {f.impacts.get('moderate', 0)} | {f.impacts.get('minor', 0)} "
            f"| {f.overflow} | {len(f.wrong_language)} | {failing} |"
        )
    combos = {(f.role, f.page) for f in findings}
    clean = {(f.role, f.page) for f in findings} - {
        (f.role, f.page) for f in findings if f.failures()
    }
    lines.append("")
    lines.append(
        f"axe-core {AXE_VERSION}; {len(combos)} role × page combinations, "
        f"{len(findings)} checks; {len(clean)} combinations without failures."
    )
    return "\n".join(lines)


def samples(findings: list[Finding], limit: int = 3) -> str:
    """The first wrong-language texts of each failing page, to say what to mark."""
    out = []
    for f in sorted(findings, key=lambda f: (f.role, f.page, f.language, f.viewport)):
        if f.wrong_language and f.viewport == "desktop":
            shown = "; ".join(f"{w['where']}: {w['text']!r}" for w in f.wrong_language[:limit])
            out.append(f"{f.role} {f.page} {f.language}: {shown}")
    return "\n".join(out)
