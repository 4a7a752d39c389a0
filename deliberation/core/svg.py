"""SVG drawn by matplotlib, restyled with presentation attributes instead of CSS.

The site's Content-Security-Policy forbids inline styles, which also switches off the
``style="..."`` attributes and the ``<style>`` element matplotlib writes into an SVG
placed in a page. The same properties as SVG presentation attributes (``fill="#fff"``)
are not styles and keep working, in the page and in the PDF. Plain Python.
"""

from __future__ import annotations

import re
from html import escape

_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>\s*\*\s*\{([^}]*)\}\s*</style>", re.S)
_TAG = re.compile(r"<([A-Za-z][\w:-]*)((?:\s+[\w:-]+=\"[^\"]*\")*)(\s*/?)>")
_ATTRIBUTE = re.compile(r'\s([\w:-]+)="([^"]*)"')


def _declarations(css: str) -> list[tuple[str, str]]:
    pairs = []
    for declaration in css.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            pairs.append((name.strip(), value.strip()))
    return pairs


def _with_attributes(tag: re.Match, extra: list[tuple[str, str]]) -> str:
    name, attributes, end = tag.group(1), tag.group(2), tag.group(3)
    present = dict(_ATTRIBUTE.findall(attributes))
    kept = [(k, v) for k, v in _ATTRIBUTE.findall(attributes) if k != "style"]
    for key, value in extra:
        if key in present and key != "style":
            kept = [(k, v) for k, v in kept if k != key]
        kept.append((key, escape(value, quote=True)))
    rendered = "".join(f' {k}="{v}"' for k, v in kept)
    return f"<{name}{rendered}{end}>"


def without_inline_styles(svg: str) -> str:
    """The same drawing with every inline style turned into presentation attributes."""
    inherited: list[tuple[str, str]] = []
    element = _STYLE_ELEMENT.search(svg)
    if element is not None:
        inherited = _declarations(element.group(1))
        svg = svg[: element.start()] + svg[element.end() :]

    def restyle(tag: re.Match) -> str:
        style = _STYLE_ATTRIBUTE.search(tag.group(0))
        extra = _declarations(style.group(1)) if style else []
        if tag.group(1) == "svg" and inherited:
            extra = [*inherited, *extra]
            inherited.clear()
        if not extra:
            return tag.group(0)
        return _with_attributes(tag, extra)

    return _TAG.sub(restyle, svg)
