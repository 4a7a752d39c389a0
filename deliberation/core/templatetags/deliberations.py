"""A deliberation's title in the reader's language, for every stage's templates."""

from django import template
from django.utils.translation import get_language

from deliberation.core.models import Deliberation

register = template.Library()


@register.filter
def title_in_language(deliberation: Deliberation) -> str:
    return deliberation.title_for((get_language() or "ko")[:2])
