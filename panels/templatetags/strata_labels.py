"""Template access to panels.labels: ``{{ key|feature_label }}``, ``{% category_label f v %}``.

The category tag reads the deliberation's own labels (its regions' English names) from
the page's ``strata_labels``, ``deliberation`` or ``wave``, once per deliberation and request.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from deliberation.core.templatetags.data_lang import in_lang
from panels import labels
from panels.selectors import labels_for

register = template.Library()


@register.filter
def feature_label(key: object) -> str:
    return labels.feature_label(str(key))


@register.simple_tag(takes_context=True)
def category_label(context: template.Context, feature: object, value: object) -> SafeString:
    """The category's label, marked with its language when it is not the page's (a region
    named only in Korean, an opinion answer) so that a screen reader reads it right."""
    return in_lang(labels_of_context(context).category(str(feature), value))


def labels_of_context(context: template.Context) -> labels.StrataLabels:
    found = context.get("strata_labels")
    if isinstance(found, labels.StrataLabels):
        return found
    deliberation = context.get("deliberation")
    if deliberation is None and (wave := context.get("wave")) is not None:
        deliberation = getattr(wave, "deliberation", None)
    if deliberation is None or getattr(deliberation, "pk", None) is None:
        return labels.DEFAULT_LABELS
    return labels_for(deliberation)
