"""Writes to the pool, the quotas, the runs and the panel, each in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction

from deliberation.models import Deliberation
from panels import selection
from panels.margins import Margin
from panels.models import (
    PanelPlan,
    PanelQuota,
    PopulationMargin,
    SelectionRun,
    Volunteer,
    VolunteerContact,
)
from panels.pool_file import PoolCheck, PoolRow, normalise_email, normalise_phone

logger = logging.getLogger(__name__)


def _log(message: str, *args) -> None:
    transaction.on_commit(lambda: logger.info(message, *args))


def do_replace_margins(deliberation: Deliberation, margins: list[Margin], *, actor) -> None:
    """Replace all margins of a deliberation at once (the new set was validated whole)."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        PopulationMargin.objects.filter(deliberation=deliberation).delete()
        PopulationMargin.objects.bulk_create(
            [
                PopulationMargin(
                    deliberation=deliberation,
                    feature=m.feature,
                    value=m.value,
                    share=Decimal(f"{m.share:.8f}"),
                    population=m.population,
                )
                for m in margins
            ]
        )
        _log("margins of %s replaced by %s", deliberation.pk, getattr(actor, "pk", None))


def contact_keys(deliberation: Deliberation) -> tuple[set[str], set[str], set[str]]:
    """External ids, normalised e-mails and phones already in the pool."""
    ids = set(
        Volunteer.objects.filter(deliberation=deliberation).values_list("external_id", flat=True)
    )
    contacts = VolunteerContact.objects.filter(volunteer__deliberation=deliberation)
    emails = set(contacts.exclude(email_key="").values_list("email_key", flat=True))
    phones = set(contacts.exclude(phone_key="").values_list("phone_key", flat=True))
    return ids, emails, phones


def do_add_volunteers(
    deliberation: Deliberation,
    rows: Iterable[PoolRow],
    *,
    source: str,
    actor=None,
) -> int:
    """Bulk-insert checked rows with their contacts; the whole batch or nothing."""
    rows = list(rows)
    with transaction.atomic():
        Volunteer.objects.bulk_create(
            [
                Volunteer(
                    deliberation=deliberation,
                    external_id=r.external_id,
                    source=source,
                    features=r.features,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        ids = dict(
            Volunteer.objects.filter(
                deliberation=deliberation, external_id__in=[r.external_id for r in rows]
            ).values_list("external_id", "pk")
        )
        VolunteerContact.objects.bulk_create(
            [
                VolunteerContact(
                    volunteer_id=ids[r.external_id],
                    name=r.name,
                    email=r.email,
                    phone=r.phone,
                    email_key=normalise_email(r.email),
                    phone_key=normalise_phone(r.phone),
                )
                for r in rows
                if r.name or r.email or r.phone
            ],
            batch_size=2000,
        )
        _log(
            "%d volunteers added to %s by %s",
            len(rows),
            deliberation.pk,
            getattr(actor, "pk", None),
        )
    return len(rows)


def do_import_pool(deliberation: Deliberation, check: PoolCheck, *, actor) -> int:
    if not check.ok:
        raise ValueError("refusing to import a file with problems")
    return do_add_volunteers(deliberation, check.rows, source=Volunteer.Source.IMPORT, actor=actor)


def do_erase_contacts(deliberation: Deliberation, *, actor) -> int:
    """Erase every contact of the pool; features, probabilities and the audit stay."""
    from django.utils import timezone

    with transaction.atomic():
        n = VolunteerContact.objects.filter(
            volunteer__deliberation=deliberation, erased_at__isnull=True
        ).update(name="", email="", phone="", email_key="", phone_key="", erased_at=timezone.now())
        _log("%d contacts of %s erased by %s", n, deliberation.pk, getattr(actor, "pk", None))
    return n


def do_update_plan(
    deliberation: Deliberation, *, panel_size: int, tolerance: Decimal, lottery_size: int, actor
) -> PanelPlan:
    with transaction.atomic():
        plan, _ = PanelPlan.objects.select_for_update().get_or_create(deliberation=deliberation)
        plan.panel_size = panel_size
        plan.tolerance = tolerance
        plan.lottery_size = lottery_size
        plan.save()
        _log("panel plan of %s updated by %s", deliberation.pk, getattr(actor, "pk", None))
    return plan


def do_replace_quotas(
    deliberation: Deliberation, quotas: Iterable[selection.Quota], *, actor
) -> None:
    quotas = list(quotas)
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        PanelQuota.objects.filter(deliberation=deliberation).delete()
        PanelQuota.objects.bulk_create(
            [
                PanelQuota(
                    deliberation=deliberation,
                    feature=q.feature,
                    value=q.value,
                    min=q.min,
                    max=q.max,
                )
                for q in quotas
            ]
        )
        _log("quotas of %s replaced by %s", deliberation.pk, getattr(actor, "pk", None))


def derived_quotas(deliberation: Deliberation) -> list[selection.Quota]:
    """Quotas of population share ± tolerance for the planned panel size."""
    from panels.problem import plan_of

    plan = plan_of(deliberation)
    shares: dict[str, dict[str, float]] = {}
    for m in PopulationMargin.objects.filter(deliberation=deliberation).order_by(
        "feature", "value"
    ):
        shares.setdefault(m.feature, {})[m.value] = float(m.share)
    return selection.quotas_from_shares(shares, plan.panel_size, float(plan.tolerance))


def do_derive_quotas(deliberation: Deliberation, *, actor) -> list[selection.Quota]:
    quotas = derived_quotas(deliberation)
    do_replace_quotas(deliberation, quotas, actor=actor)
    return quotas


def do_apply_relaxation(
    deliberation: Deliberation, changes: Iterable[selection.QuotaChange], *, actor
) -> int:
    """Apply a proposed relaxation only if every quota still has the values it was based on."""
    changes = list(changes)
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        current = {
            (q.feature, q.value): q for q in PanelQuota.objects.filter(deliberation=deliberation)
        }
        for c in changes:
            q = current.get((c.feature, c.value))
            if q is None or (q.min, q.max) != (c.old_min, c.old_max):
                raise ValueError("the quotas changed since the relaxation was proposed")
        for c in changes:
            q = current[(c.feature, c.value)]
            q.min, q.max = c.new_min, c.new_max
        PanelQuota.objects.bulk_update(
            [current[(c.feature, c.value)] for c in changes], ["min", "max"]
        )
        _log(
            "relaxation of %d quotas of %s by %s",
            len(changes),
            deliberation.pk,
            getattr(actor, "pk", None),
        )
    return len(changes)


class RunAlreadyActive(Exception):
    """Another selection run of this deliberation is queued or running."""


def do_start_run(deliberation: Deliberation, *, actor, seed: int = 0) -> SelectionRun:
    """Queue a run on a frozen snapshot of the inputs; its computation starts after commit."""
    from panels.problem import plan_of, snapshot
    from panels.runner import start_in_background

    try:
        with transaction.atomic():
            Deliberation.objects.select_for_update().get(pk=deliberation.pk)
            if SelectionRun.objects.filter(
                deliberation=deliberation, status__in=SelectionRun.ACTIVE
            ).exists():
                raise RunAlreadyActive
            inputs = snapshot(deliberation)
            inputs["lottery_size"] = plan_of(deliberation).lottery_size
            run = SelectionRun.objects.create(
                deliberation=deliberation,
                created_by=actor if getattr(actor, "pk", None) else None,
                seed=seed,
                inputs=inputs,
                progress="Queued",
            )
            transaction.on_commit(lambda: start_in_background(run.pk))
            _log("selection run %s queued by %s", run.pk, getattr(actor, "pk", None))
    except IntegrityError:
        raise RunAlreadyActive from None
    return run
