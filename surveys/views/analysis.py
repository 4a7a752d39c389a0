"""Analysts' and organizers' pages: exports, weighting and results of a wave."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from deliberation.access import role_required
from deliberation.roles import Role
from surveys import exports
from surveys.datasets import describe_format, wave_dataset
from surveys.models import Wave

ANALYSTS = (Role.ORGANIZER, Role.ANALYST)


def _wave(wave_id: int) -> Wave:
    return get_object_or_404(
        Wave.objects.select_related("deliberation", "questionnaire"), pk=wave_id
    )


@role_required(*ANALYSTS)
def export_list(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    formats = [(fmt, describe_format(fmt)) for fmt in exports.FORMATS]
    return render(request, "surveys/exports.html", {"wave": wave, "formats": formats})


@role_required(*ANALYSTS)
def export_download(request: HttpRequest, wave_id: int, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    wave = _wave(wave_id)
    content = exports.write(wave_dataset(wave), fmt)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    name = f"{wave.deliberation.slug}-{wave.label}"
    if fmt == "codebook":
        name += "-codebook"
    response["Content-Disposition"] = f'attachment; filename="{name}.{exports.EXTENSIONS[fmt]}"'
    return response
