"""``{{ user|display_name }}``: the one way templates name a person."""

from typing import Any

from django import template

from deliberation.core import names

register = template.Library()


@register.filter
def display_name(user: Any) -> str:
    return names.display_name(user)
