"""Weighting a wave: raking its complete responses to the population margins."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction

from deliberation.core import audit
from panels.models import PopulationMargin
from panels.strata import STRATA
from surveys import weighting
from surveys.models import Response, Wave, WeightingRun

logger = logging.getLogger(__name__)

MARGIN_SUM_SLACK = 0.01


class WeightingRefused(Exception):
    """The wave cannot be weighted as asked: why, as a code and its parameters.

    ``str()`` is an English sentence for logs and commands; pages say it in their own
    language from ``code`` and ``params`` (surveys.views.analysis).
    """

    MESSAGES = {
        "no_margins": "the deliberation has no population margins",
        "unknown_features": (
            "margins on {features} cannot be used: respondents record only {strata}"
        ),
        "shares_sum": "the shares of {feature} sum to {total:.4f}, not 1",
        "no_responses": "the wave has no complete responses",
        "not_converged": (
            "raking did not converge in {iterations} iterations: largest margin error "
            "{error:.3g} on {feature!r}, category {category!r}"
        ),
        "invalid": "{detail}",
    }

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.MESSAGES[code].format(**params))


def margins_for(wave: Wave) -> dict[str, dict[str, float]]:
    """The deliberation's population margins, rescaled when rounding leaves them off 1."""
    margins: dict[str, dict[str, float]] = {}
    for feature, value, share in PopulationMargin.objects.filter(
        deliberation_id=wave.deliberation_id
    ).values_list("feature", "value", "share"):
        margins.setdefault(feature, {})[value] = float(share)
    if not margins:
        raise WeightingRefused("no_margins")
    unknown = sorted(set(margins) - set(STRATA))
    if unknown:
        raise WeightingRefused(
            "unknown_features", features=", ".join(unknown), strata=", ".join(STRATA)
        )
    for feature, shares in margins.items():
        total = sum(shares.values())
        if abs(total - 1) > MARGIN_SUM_SLACK:
            raise WeightingRefused("shares_sum", feature=feature, total=total)
        margins[feature] = {value: share / total for value, share in shares.items()}
    return margins


def do_weight_wave(wave: Wave, *, cap: float | None = None, actor: Any = None) -> WeightingRun:
    """Rake the counted responses of a wave (complete, not excluded) to the population
    margins and store the weights; every other response of the wave has none."""
    margins = margins_for(wave)
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        rows = list(
            Response.objects.filter(wave=wave).counted().order_by("pk").values_list("pk", *margins)
        )
        if not rows:
            raise WeightingRefused("no_responses")
        data = {feature: [row[i + 1] for row in rows] for i, feature in enumerate(margins)}
        try:
            result = weighting.rake(data, margins, cap=cap)
        except weighting.ConvergenceError as exc:
            feature, category, error = max(
                (
                    (name, category, error)
                    for name, errors in exc.result.margin_errors.items()
                    for category, error in errors.items()
                ),
                key=lambda worst: worst[2],
            )
            raise WeightingRefused(
                "not_converged",
                iterations=exc.result.iterations,
                feature=feature,
                category=category,
                error=error,
            ) from None
        except weighting.WeightingError as exc:
            raise WeightingRefused("invalid", detail=str(exc)) from None
        write_weights([row[0] for row in rows], [float(w) for w in result.weights])
        Response.objects.filter(wave=wave).exclude(
            status=Response.Status.COMPLETE, excluded_at__isnull=True
        ).update(weight=None)
        run = WeightingRun.objects.create(
            wave=wave,
            created_by=actor if getattr(actor, "pk", None) else None,
            margins=margins,
            cap=cap,
            respondents=result.n,
            iterations=result.iterations,
            converged=result.converged,
            max_margin_error=result.max_margin_error,
            design_effect=result.design_effect,
            effective_n=result.effective_n,
        )
        audit.record(
            "weighting.run",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra={
                "run": run.pk,
                "cap": cap,
                "respondents": result.n,
                "converged": result.converged,
                "design_effect": result.design_effect,
            },
        )
    return run


def write_weights(response_ids: list[int], weights: list[float]) -> None:
    """Set each response's weight in the caller's transaction: one UPDATE from two arrays
    on PostgreSQL, one prepared UPDATE by primary key run for every row elsewhere.

    The ORM's bulk_update writes a CASE of 2,000 branches per statement, which every row
    of the batch walks: minutes for a poll of 100,000.
    """
    table = connection.ops.quote_name(Response._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS r SET weight = v.weight "
                "FROM unnest(%s::bigint[], %s::double precision[]) AS v(id, weight) "
                "WHERE r.id = v.id",
                [response_ids, weights],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET weight = %s WHERE id = %s",
                list(zip(weights, response_ids, strict=True)),
            )
