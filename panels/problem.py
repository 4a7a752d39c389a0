"""The selection problem of a deliberation, read from the database as a plain snapshot.

A snapshot (people's features, quotas, panel size) is what a run computes on and what the
audit record keeps, so a draw can be recomputed without the database.
"""

from __future__ import annotations

from typing import Any

from deliberation.core.models import Deliberation
from panels import selection
from panels.audit_record import problem_from_inputs
from panels.models import PanelPlan, PanelQuota, Volunteer


def plan_of(deliberation: Deliberation) -> PanelPlan:
    """The deliberation's panel plan; the defaults (not saved) until an organizer sets one."""
    plan = PanelPlan.objects.filter(deliberation=deliberation).first()
    return plan if plan is not None else PanelPlan(deliberation=deliberation)


def quotas_of(deliberation: Deliberation) -> list[selection.Quota]:
    return [
        selection.Quota(q.feature, q.value, q.min, q.max)
        for q in PanelQuota.objects.filter(deliberation=deliberation).order_by("pk")
    ]


def snapshot(deliberation: Deliberation) -> dict[str, Any]:
    """Available volunteers' quota features, the quotas and the panel size, as JSON data.

    Volunteers appear under their record ids (panels.record_ids), which the public audit
    record may show; ``id_field`` says so for the draw that seats them.
    """
    quotas = quotas_of(deliberation)
    features = list(dict.fromkeys(q.feature for q in quotas))
    people = {
        record_id: {f: str(values.get(f, "")) for f in features}
        for record_id, values in Volunteer.objects.filter(
            deliberation=deliberation, status=Volunteer.Status.AVAILABLE
        )
        .order_by("record_id")
        .values_list("record_id", "features")
    }
    return {
        "panel_size": plan_of(deliberation).panel_size,
        "quotas": [[q.feature, q.value, q.min, q.max] for q in quotas],
        "people": people,
        "id_field": "record_id",
    }


def id_field_of(inputs: dict[str, Any]) -> str:
    """Which volunteer field a run's ids are: record ids, or (older runs) external ids."""
    return "record_id" if inputs.get("id_field") == "record_id" else "external_id"


def problem_from_snapshot(data: dict[str, Any]) -> selection.Problem:
    return problem_from_inputs(data)
