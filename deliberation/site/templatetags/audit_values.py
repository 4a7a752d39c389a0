"""How the audit log shows a recorded value: yes/no, lists joined, data marked with its lang."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from deliberation.core.templatetags.data_lang import in_lang

register = template.Library()


@register.filter(is_safe=True)
def audit_value(value: object) -> SafeString:
    """A value as the log stored it (JSON), for a reader: booleans in the page's language,
    lists and objects spelled out, texts marked with their language."""
    if value is None or value == "":
        return mark_safe("—")
    if isinstance(value, bool):
        return conditional_escape(_("yes") if value else _("no"))
    if isinstance(value, list):
        return mark_safe(", ".join(audit_value(item) for item in value) or "—")
    if isinstance(value, dict):
        return format_html_join(
            "; ", "<code>{}</code>: {}", ((key, audit_value(item)) for key, item in value.items())
        )
    return in_lang(value)
