"""Template filters for the report."""

from django import template

from deliberation.report_render import svg_data_uri as _svg_data_uri

register = template.Library()


@register.filter
def svg_data_uri(svg: str) -> str:
    return _svg_data_uri(svg)
