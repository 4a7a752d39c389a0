"""The audit log: every staff write appended in one place, inside the write's transaction.

Each staff ``do_*`` action calls ``record`` in its ``transaction.atomic()`` block, so an
entry exists exactly when the write committed: a refused or failed action leaves none.
``values_of`` and ``changed`` give an edit's old and new values. Entries are never
changed or deleted (``AuditLogEntry.save``); organizers read them on the deliberation's
audit-log page and in its CSV, and the draw's public audit record carries the panel
selection's part of it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.core.access import prime_roles
from deliberation.core.cells import safe_row
from deliberation.core.models import AuditLogEntry, Deliberation
from deliberation.core.names import display_name

# Every event type, a short stable key, with the label organizers read.
EVENTS: dict[str, Any] = {
    # The deliberation, its stages and its team.
    "deliberation.created": _("Deliberation created"),
    "deliberation.updated": _("Deliberation edited"),
    "deliberation.archived": _("Deliberation archived"),
    "deliberation.restored": _("Deliberation restored"),
    "stage.added": _("Stage added"),
    "stage.updated": _("Stage edited"),
    "stage.removed": _("Stage removed"),
    "stage.moved": _("Stage moved"),
    "organizer.created": _("Organizer account created"),
    "team.invited": _("Team members invited"),
    "team.removed": _("Team member removed"),
    "team.contact_access": _("Access to contact details changed"),
    # Panel selection.
    "margins.replaced": _("Population margins replaced"),
    "poll_targets.replaced": _("Targets from the weighted poll replaced"),
    "opinion_stratum.chosen": _("Prior opinion chosen as a selection feature"),
    "opinion_stratum.dropped": _("Prior opinion no longer a selection feature"),
    "region.added": _("Region added"),
    "region.updated": _("Region edited"),
    "region.moved": _("Region moved"),
    "region.deleted": _("Region deleted"),
    "volunteers.added": _("Volunteers added to the pool"),
    "pool_contacts.erased": _("Pool contacts erased"),
    "plan.updated": _("Panel plan edited"),
    "quotas.replaced": _("Panel quotas replaced"),
    "quotas.relaxed": _("Panel quotas relaxed"),
    "run.started": _("Selection run started"),
    "run.cancelled": _("Selection run cancelled"),
    "draw.made": _("Panel drawn"),
    "panelist.replaced": _("Panelist replaced"),
    "panelists.replaced_from_reserves": _("Drop-outs replaced from the reserves"),
    "panelist.status_changed": _("Panelist status changed"),
    "invitations.sent": _("Panel invitations sent"),
    "panelist.answer_recorded": _("Panelist's confirmation or decline recorded"),
    "confirmation_deadline.set": _("Confirmation deadline set"),
    "confirmation_reminders.sent": _("Confirmation reminders sent"),
    # Surveys.
    "links.created": _("Survey links created"),
    "fieldwork.updated": _("Fieldwork settings edited"),
    "fieldwork_quota.saved": _("Fieldwork quota saved"),
    "questionnaire.created": _("Questionnaire created"),
    "questionnaire.versioned": _("New questionnaire version"),
    "question.saved": _("Question saved"),
    "question.moved": _("Question moved"),
    "question.deleted": _("Question deleted"),
    "questions.copied": _("Questions copied"),
    "wave.created": _("Survey created"),
    "wave.updated": _("Survey changed"),
    "wave.deleted": _("Survey deleted"),
    "fieldwork_quota.updated": _("Fieldwork quota changed"),
    "fieldwork_quota.deleted": _("Fieldwork quota deleted"),
    "quality_flags.refreshed": _("Quality flags recomputed"),
    "responses.excluded": _("Responses excluded"),
    "weighting.run": _("Survey weighted"),
    "import.uploaded": _("Poll file uploaded"),
    "import.mapped": _("Poll file columns mapped"),
    "import.done": _("Poll file imported"),
    "import.check_queued": _("Poll file queued for its check"),
    "import.queued": _("Poll file queued for import"),
    "import.cancelled": _("Poll file check or import cancelled"),
    "pool_import.queued": _("Volunteer file queued"),
    "pool_import.cancelled": _("Volunteer file cancelled"),
    "reminders.sent": _("Survey reminders sent"),
    "contacts.erased": _("Contact data erased"),
    # The forum.
    "session.saved": _("Session saved"),
    "facilitator.assigned": _("Facilitator assigned"),
    "groups.allocated": _("Groups allocated"),
    "member.moved": _("Panelist moved to another group"),
    "material.added": _("Material added"),
    "message.hidden": _("Message hidden"),
    "participant.muted": _("Participant muted"),
    "participant.removed": _("Participant removed from a room"),
    "recommendation.added": _("Recommendation added"),
    "statement.moderated": _("Statement accepted or rejected"),
    "statements.toggled": _("Statements turned on or off in a room"),
    "participation_fees.set": _("Participation fees set"),
    # The report.
    "report.narratives_saved": _("Report texts saved"),
    "report.headline_set": _("Report headline question set"),
    "report.render_requested": _("Report PDF requested"),
    "report.render_cancelled": _("Report PDF cancelled"),
    "publication.updated": _("Public page published or changed"),
    "recommendation.status_changed": _("Recommendation's tracking status changed"),
}

# The events that shape a draw: the draw's audit record, public to every signed-in
# person, carries them. Replacements are in the record already, and their entries tie a
# seat to a volunteer record, so they stay in the organizers' log.
SELECTION_EVENTS = frozenset(
    {
        "margins.replaced",
        "poll_targets.replaced",
        "opinion_stratum.chosen",
        "opinion_stratum.dropped",
        "region.added",
        "region.updated",
        "region.moved",
        "region.deleted",
        "plan.updated",
        "quotas.replaced",
        "quotas.relaxed",
        "run.started",
        "run.cancelled",
        "draw.made",
    }
)

LABEL_LENGTH = 200

# The details an event records, by key, as the log shows them. A key without a label is
# shown as the key itself, as code.
DETAIL_LABELS: dict[str, Any] = {
    "already_present": _("already present"),
    "author": _("author"),
    "batch": _("batch"),
    "bytes": _("bytes"),
    "cap": _("weight cap"),
    "changed": _("changed"),
    "channel": _("channel"),
    "codes": _("question codes"),
    "columns": _("columns"),
    "converged": _("converged"),
    "count": _("count"),
    "created": _("created"),
    "design_effect": _("design effect"),
    "districts": _("districts"),
    "dropped": _("dropped out"),
    "ends_on": _("ends on"),
    "facilitator": _("facilitator"),
    "flag": _("flag"),
    "flagged": _("flagged"),
    "from": _("copied from"),
    "groups": _("groups"),
    "inputs_digest": _("digest of the inputs"),
    "invited": _("invited"),
    "kind": _("kind"),
    "lottery_digest": _("digest of the lottery"),
    "minutes": _("minutes"),
    "name": _("name"),
    "name_en": _("name in English"),
    "new_seat": _("new seat"),
    "not_replaced": _("not replaced"),
    "note": _("note"),
    "panel_size": _("panel size"),
    "panelists": _("panelists"),
    "previous": _("previous version"),
    "public_number": _("public number"),
    "question": _("question"),
    "reason": _("reason"),
    "replacement": _("replacement"),
    "replacements": _("replacements"),
    "reserves": _("reserves"),
    "respondents": _("respondents"),
    "responses": _("responses"),
    "role": _("role"),
    "run": _("run"),
    "seat": _("seat"),
    "seats": _("seats"),
    "seed": _("seed"),
    "seq": _("message number"),
    "session": _("session"),
    "skip_invalid": _("invalid rows skipped"),
    "skipped_invalid": _("invalid rows skipped"),
    "source": _("source"),
    "starts_on": _("starts on"),
    "text": _("text"),
    "user": _("user"),
    "wave": _("wave"),
    "weighted": _("weighted"),
}


def event_label(event_type: str) -> str:
    """The readable name of an event type (the key itself for one no longer known)."""
    label = EVENTS.get(event_type)
    return str(label) if label is not None else event_type


def detail_label(key: str) -> str | None:
    """The readable name of a detail's key, or None for a key without one."""
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else None


def plain(value: Any) -> Any:
    """A value as JSON stores it (dates and decimals as text), so old and new compare."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def values_of(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row as plain values (a foreign key by its id)."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = field.value_from_object(instance)
        if isinstance(field, models.DecimalField) and value is not None:
            # As stored: 0.1 and 0.100 are one value of a three-place column.
            value = Decimal(value).quantize(Decimal(1).scaleb(-(field.decimal_places or 0)))
        values[name] = plain(value)
    return values


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def changed(before: Mapping[str, Any], instance: models.Model) -> dict[str, list]:
    """The edit of a row since ``before`` (taken by ``values_of``), field by field."""
    return changes_between(before, values_of(instance, before))


def record(
    event_type: str,
    *,
    actor: Any,
    deliberation: Deliberation | int | None,
    obj: models.Model | None = None,
    label: str = "",
    changes: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> AuditLogEntry:
    """Append one entry; called inside the action's transaction, so it commits with the
    write or not at all."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown audit event {event_type!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() is called inside the action's transaction")
    deliberation_id = deliberation.pk if isinstance(deliberation, Deliberation) else deliberation
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    entry = AuditLogEntry.objects.create(
        deliberation_id=deliberation_id,
        actor_id=actor_id,
        acted_at=timezone.now(),
        event_type=event_type,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=(label or (str(obj) if obj is not None else ""))[:LABEL_LENGTH],
        changes=plain(dict(changes or {})),
        extra=plain(dict(extra or {})),
    )
    return entry


def entries_of(
    deliberation: Deliberation, *, event_type: str = "", actor_id: int | None = None
) -> QuerySet[AuditLogEntry]:
    """A deliberation's log, newest first, with each actor's name read in the same query."""
    entries = AuditLogEntry.objects.filter(deliberation=deliberation).select_related(
        "actor__profile"
    )
    if event_type:
        entries = entries.filter(event_type=event_type)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    return entries.order_by("-acted_at", "-pk")


CSV_HEADER = (
    "acted_at",
    "actor",
    "event_type",
    "event",
    "object_type",
    "object_id",
    "object",
    "changes",
    "extra",
)


def log_csv(entries: Iterable[AuditLogEntry]) -> str:
    """The entries as CSV (local time, names as others see them); no cell runs as a
    formula in a spreadsheet."""
    entries = list(entries)
    prime_roles(entry.actor for entry in entries)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow(
            safe_row(
                [
                    timezone.localtime(entry.acted_at).isoformat(timespec="seconds"),
                    display_name(entry.actor) if entry.actor_id else "",
                    entry.event_type,
                    event_label(entry.event_type),
                    entry.object_type,
                    entry.object_id,
                    entry.object_label,
                    json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
                    json.dumps(entry.extra, ensure_ascii=False) if entry.extra else "",
                ]
            )
        )
    return out.getvalue()
