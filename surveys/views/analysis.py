"""Analysts' and organizers' pages: exports, weighting and results of a wave."""

from __future__ import annotations

import os
import tempfile

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from deliberation.core.access import role_required
from deliberation.core.roles import Role
from panels import selectors as panel_selectors
from panels.labels import StrataLabels, feature_label
from panels.strata import STRATA
from surveys import actions, exports
from surveys.datasets import WaveExport, describe_format, wave_dataset, wave_export
from surveys.forms import WeightingForm
from surveys.item_data import item_data, wave_items
from surveys.models import Response, Wave
from surveys.results import bar_chart, crosstab, frequencies, mean

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
def export_download(request: HttpRequest, wave_id: int, fmt: str) -> HttpResponseBase:
    if fmt not in exports.FORMATS:
        raise Http404
    wave = _wave(wave_id)
    response: HttpResponseBase
    if fmt == "codebook":
        response = HttpResponse(
            exports.write(wave_dataset(wave), fmt), content_type=exports.CONTENT_TYPES[fmt]
        )
    else:
        response = _streamed_export(wave_export(wave), fmt)
    name = f"{wave.deliberation.slug}-{wave.label}"
    if fmt == "codebook":
        name += "-codebook"
    response["Content-Disposition"] = f'attachment; filename="{name}.{exports.EXTENSIONS[fmt]}"'
    return response


def _streamed_export(export: WaveExport, fmt: str) -> StreamingHttpResponse:
    """A data file sent as it is made: the CSV row by row; XLSX, SAV and DTA written to a
    temporary file (gone once closed) and sent from it in blocks."""
    content_type = exports.CONTENT_TYPES[fmt]
    if fmt == "csv":
        return StreamingHttpResponse(
            exports.csv_chunks(export.variables, export.rows), content_type=content_type
        )
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        exports.write_file(path, fmt, export.title, export.variables, export.rows, export.count)
        written = open(path, "rb")  # noqa: SIM115 (the response closes it once sent)
    finally:
        os.unlink(path)  # the open file stays readable; its name is gone at once
    return FileResponse(written, content_type=content_type)


@role_required(*ANALYSTS)
def weighting_page(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    form = WeightingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = actions.do_weight_wave(wave, cap=form.cleaned_data["cap"], actor=request.user)
        except actions.WeightingRefused as exc:
            reason = _refusal(exc, panel_selectors.labels_for(wave.deliberation))
            messages.error(
                request, _("The wave was not weighted: %(reason)s.") % {"reason": reason}
            )
        else:
            messages.success(
                request,
                _("Weighted %(n)s respondents: design effect %(deff).2f.")
                % {"n": run.respondents, "deff": run.design_effect},
            )
        return redirect("surveys:weighting", wave_id=wave.pk)
    run = wave.weighting_runs.first()
    comparison = []
    try:
        margins = actions.margins_for(wave)
    except actions.WeightingRefused as exc:
        margins, problem = {}, _refusal(exc, panel_selectors.labels_for(wave.deliberation))
    else:
        problem = ""
    rows = list(Response.objects.filter(wave=wave).counted().values_list(*STRATA, "weight"))
    total = len(rows)
    weight_total = sum(r[-1] or 0 for r in rows)
    for feature, shares in margins.items():
        i = STRATA.index(feature)
        for value, target in shares.items():
            count = sum(1 for r in rows if r[i] == value)
            weighted = sum(r[-1] or 0 for r in rows if r[i] == value)
            comparison.append(
                {
                    "feature": feature,
                    "value": value,
                    "target": _pct(target),
                    "sample": _pct(count / total) if total else None,
                    "weighted": _pct(weighted / weight_total) if weight_total else None,
                    "count": count,
                }
            )
    return render(
        request,
        "surveys/weighting.html",
        {
            "wave": wave,
            "form": form,
            "run": run,
            "comparison": comparison,
            "problem": problem,
            "respondents": total,
            "is_demo": wave.deliberation.is_demo,
        },
    )


def _refusal(refused: actions.WeightingRefused, labels: StrataLabels) -> str:
    """Why a wave cannot be weighted, in the page's language (a clause, no full stop)."""
    params = dict(refused.params)
    if "feature" in params:
        feature = str(params["feature"])
        params["feature"] = feature_label(feature)
        if "category" in params:
            params["category"] = labels.category(feature, params["category"])
    if "strata" in params:
        params["strata"] = ", ".join(feature_label(key) for key in STRATA)
    if "total" in params:
        params["total"] = number_format(params["total"], 4)
    if "error" in params:
        params["error"] = number_format(params["error"], 4)
    clauses = {
        "no_margins": _("the deliberation has no population margins"),
        "unknown_features": _(
            "margins on %(features)s cannot be used: respondents record only %(strata)s"
        ),
        "shares_sum": _("the shares of %(feature)s add up to %(total)s, not 1"),
        "no_responses": _("the wave has no complete responses"),
        "not_converged": _(
            "raking did not converge in %(iterations)s iterations; the weighted shares are "
            "furthest from the margins for %(feature)s %(category)s (off by %(error)s). "
            "A higher weight cap, or none, may let it converge"
        ),
    }
    clause = clauses.get(refused.code)
    return clause % params if clause else str(refused)


def _pct(share) -> float | None:
    return None if share is None else round(100 * share, 1)


@role_required(*ANALYSTS)
def results(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(wave_id)
    infos = wave_items(wave)
    by_item = {info.item: info for info in infos}
    info = by_item.get(request.GET.get("item", "")) or next(
        (i for i in infos if i.is_categorical), None
    )
    group = request.GET.get("by", "region")
    if group not in STRATA:
        group = "region"
    context = {"wave": wave, "items": infos, "info": info, "group": group, "groupings": STRATA}
    if info is not None:
        data = item_data(wave, info.item)
        if info.is_categorical:
            freq = frequencies(data.values, info.value_labels, data.weights)
            context["freq"] = freq
            context["rows"] = [
                {
                    "label": row.label,
                    "count": row.count,
                    "unweighted": _pct(row.unweighted.estimate),
                    "unweighted_ci": (_pct(row.unweighted.ci_low), _pct(row.unweighted.ci_high)),
                    "weighted": _pct(row.weighted.estimate) if row.weighted else None,
                    "weighted_ci": (
                        (_pct(row.weighted.ci_low), _pct(row.weighted.ci_high))
                        if row.weighted
                        else None
                    ),
                }
                for row in freq.rows
            ]
            context["moe"] = _pct(freq.margin_of_error)
            context["weighted_moe"] = _pct(freq.weighted_margin_of_error)
            table = crosstab(data.values, data.strata[group], data.weights)
            if table is not None:
                labels = panel_selectors.labels_for(wave.deliberation)
                context["crosstab"] = {
                    "columns": [labels.category(group, c) for c in table.column_values],
                    "rows": [
                        {
                            "label": info.value_labels.get(value, str(value)),
                            "shares": [_pct(s) for s in table.column_shares[i]],
                        }
                        for i, value in enumerate(table.row_values)
                    ],
                    "chi2": table.chi2,
                    "dof": table.dof,
                    "p": "< 0.0001" if table.p_value < 0.0001 else f"= {table.p_value:.4f}",
                    "weighted": table.weighted,
                    "n": table.n,
                }
        else:
            context["mean_unweighted"] = mean(data.values)
            context["mean_weighted"] = (
                mean(data.values, data.weights) if data.weights is not None else None
            )
    return render(request, "surveys/results.html", context)


@role_required(*ANALYSTS)
def chart(request: HttpRequest, wave_id: int, item: str, image_format: str) -> HttpResponse:
    if image_format not in {"svg", "png"}:
        raise Http404
    wave = _wave(wave_id)
    info = next((i for i in wave_items(wave) if i.item == item and i.is_categorical), None)
    if info is None:
        raise Http404
    data = item_data(wave, item)
    freq = frequencies(data.values, info.value_labels, data.weights)
    content = bar_chart(
        freq,
        f"{info.item}. {info.label}",
        image_format=image_format,
        names=(_("unweighted"), _("weighted")),
    )
    content_type = "image/svg+xml" if image_format == "svg" else "image/png"
    return HttpResponse(content, content_type=content_type)
