"""Writes to the pool, the quotas, the runs and the panel, each in one transaction."""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Iterable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from deliberation.core import audit, background
from deliberation.core.actions import ActionRefused, record_seat_numbers
from deliberation.core.models import Deliberation
from deliberation.core.roles import Role
from deliberation.core.uploads import limit_message, upload_limits
from panels import lottery as lottery_core
from panels import reserves as reserves_core
from panels import selection, selectors
from panels.audit_record import (
    digest_of,
    lottery_from_json,
    lottery_person_probabilities,
    problem_from_inputs,
)
from panels.margins import Margin, PollShare
from panels.models import (
    REASON_LENGTH,
    District,
    Panelist,
    PanelPlan,
    PanelQuota,
    PollTarget,
    PoolImport,
    PopulationMargin,
    Region,
    SeatContact,
    SelectionAudit,
    SelectionRun,
    Volunteer,
    VolunteerContact,
)
from panels.pool_file import (
    PoolCheck,
    PoolFileError,
    PoolRow,
    check_pool_rows,
    normalise_email,
    normalise_phone,
)
from panels.pool_file import read_table as read_pool_table
from panels.problem import id_field_of, plan_of, snapshot
from panels.record_ids import new_record_ids
from panels.runner import compute_selection_run
from panels.signals import panel_seat_changed, region_renamed, region_uses
from panels.strata import STRATA

logger = logging.getLogger(__name__)
# The seat's columns for the strata are this long.
STRATUM_LENGTHS = {"region": 60, "gender": 20, "age_band": 20}


def _log(message: str, *args: Any) -> None:
    transaction.on_commit(lambda: logger.info(message, *args))


def do_replace_margins(deliberation: Deliberation, margins: list[Margin], *, actor: Any) -> None:
    """Replace all margins of a deliberation at once (the new set was validated whole)."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        before = _margin_values(deliberation)
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
        audit.record(
            "margins.replaced",
            actor=actor,
            deliberation=deliberation,
            changes=audit.changes_between(before, _margin_values(deliberation)),
        )


def _poll_target_values(deliberation: Deliberation) -> dict[str, Any]:
    return {
        f"{feature}={value}": audit.plain([share, moe])
        for feature, value, share, moe in PollTarget.objects.filter(deliberation=deliberation)
        .order_by("feature", "order", "value")
        .values_list("feature", "value", "share", "margin_of_error")
    }


def do_replace_poll_targets(
    deliberation: Deliberation,
    feature: str,
    targets: Iterable[PollShare],
    *,
    volunteer_values: dict[str, str],
    default: str,
    actor: Any,
) -> int:
    """Make ``feature`` a selection feature with targets from the weighted poll.

    Every volunteer in the pool gets the feature: poll volunteers their answer
    (``volunteer_values`` by external id), the rest ``default`` unless their file carried
    the column. An empty ``targets`` removes the feature's targets (the feature stays on
    the volunteers, where it does no harm until a quota names it).
    """
    targets = list(targets)
    if feature in STRATA:
        raise ActionRefused(
            "stratum_feature",
            _("Region, gender and age group take their targets from the population margins."),
        )
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        if PopulationMargin.objects.filter(deliberation=deliberation, feature=feature).exists():
            raise ActionRefused(
                "feature_has_margins",
                _("The population margins have a feature of this name already."),
            )
        before = _poll_target_values(deliberation)
        PollTarget.objects.filter(deliberation=deliberation, feature=feature).delete()
        PollTarget.objects.bulk_create(
            [
                PollTarget(
                    deliberation=deliberation,
                    feature=feature,
                    value=t.value,
                    order=order,
                    share=Decimal(f"{t.share:.8f}"),
                    margin_of_error=Decimal(f"{t.margin_of_error:.8f}"),
                    respondents=t.respondents,
                    volunteers_share=(
                        None if t.volunteers_share is None else Decimal(f"{t.volunteers_share:.8f}")
                    ),
                )
                for order, t in enumerate(targets)
            ]
        )
        if targets:
            volunteers = list(
                Volunteer.objects.filter(deliberation=deliberation).only(
                    "pk", "external_id", "features"
                )
            )
            changed = []
            for v in volunteers:
                value = volunteer_values.get(v.external_id)
                if value is None:
                    value = v.features.get(feature) or default
                if v.features.get(feature) != value:
                    v.features = {**v.features, feature: value}
                    changed.append(v)
            Volunteer.objects.bulk_update(changed, ["features"], batch_size=2000)
        audit.record(
            "poll_targets.replaced",
            actor=actor,
            deliberation=deliberation,
            changes=audit.changes_between(before, _poll_target_values(deliberation)),
        )
    return len(targets)


def _margin_values(deliberation: Deliberation) -> dict[str, Any]:
    """Each margin as "feature=value" -> [share, population], for the audit log."""
    return {
        f"{feature}={value}": audit.plain([share, population])
        for feature, value, share, population in PopulationMargin.objects.filter(
            deliberation=deliberation
        )
        .order_by("feature", "value")
        .values_list("feature", "value", "share", "population")
    }


NAME_LENGTH = 60


def _region_fields(name: str, name_en: str, districts: Iterable[str]) -> tuple[str, str, list[str]]:
    name, name_en = name.strip(), name_en.strip()
    names = list(dict.fromkeys(d.strip() for d in districts if d.strip()))
    if not name:
        raise ActionRefused("region_name_missing", _("Give the region a name."))
    if any(len(n) > NAME_LENGTH for n in (name, name_en, *names)):
        raise ActionRefused(
            "name_too_long",
            _("Names are at most %(n)d characters long.") % {"n": NAME_LENGTH},
        )
    return name, name_en, names


def _refuse_taken_districts(
    deliberation: Deliberation, names: list[str], region: Region | None = None
) -> None:
    taken = District.objects.filter(deliberation=deliberation, name__in=names)
    if region is not None:
        taken = taken.exclude(region=region)
    found = sorted(taken.values_list("name", flat=True))
    if found:
        raise ActionRefused(
            "district_taken",
            _("These districts belong to another region already: %(names)s.")
            % {"names": ", ".join(found)},
        )


def _set_districts(region: Region, names: list[str]) -> None:
    District.objects.filter(region=region).exclude(name__in=names).delete()
    existing = {d.name: d for d in District.objects.filter(region=region)}
    for order, name in enumerate(names):
        district = existing.get(name)
        if district is None:
            District.objects.create(
                deliberation_id=region.deliberation_id, region=region, name=name, order=order
            )
        elif district.order != order:
            district.order = order
            district.save(update_fields=["order"])


def region_people(deliberation: Deliberation, name: str, *, deleting: bool = False) -> list[str]:
    """Sentences naming the records of people that carry the region (nothing renames them).

    For a deletion, the stages above also name their set-up that names the region.
    """
    uses = []
    volunteers = Volunteer.objects.filter(deliberation=deliberation, features__region=name).count()
    if volunteers:
        uses.append(
            ngettext("%(n)d volunteer in the pool", "%(n)d volunteers in the pool", volunteers)
            % {"n": volunteers}
        )
    seats = Panelist.objects.filter(deliberation=deliberation, region=name).count()
    if seats:
        uses.append(ngettext("%(n)d panel seat", "%(n)d panel seats", seats) % {"n": seats})
    for _receiver, answer in region_uses.send(
        Region, deliberation=deliberation, name=name, deleting=deleting
    ):
        uses.extend(answer or [])
    return uses


def _refuse_if_in_use(deliberation: Deliberation, name: str, uses: list[str], code: str) -> None:
    if uses:
        message = (
            _("%(region)s is in use (%(uses)s), so it cannot be renamed.")
            if code == "region_in_use_rename"
            else _("%(region)s is in use (%(uses)s), so it cannot be deleted.")
        )
        raise ActionRefused(code, message % {"region": name, "uses": ", ".join(uses)})


def do_add_region(
    deliberation: Deliberation,
    name: str,
    name_en: str,
    districts: Iterable[str],
    *,
    actor: Any,
) -> Region:
    """A new region, last in order, with its districts; refused whole on any problem."""
    name, name_en, names = _region_fields(name, name_en, districts)
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        if Region.objects.filter(deliberation=deliberation, name=name).exists():
            raise ActionRefused("region_exists", _("There is a region of this name already."))
        _refuse_taken_districts(deliberation, names)
        last = Region.objects.filter(deliberation=deliberation).aggregate(m=Max("order"))["m"]
        region = Region.objects.create(
            deliberation=deliberation,
            name=name,
            name_en=name_en,
            order=0 if last is None else last + 1,
        )
        _set_districts(region, names)
        audit.record(
            "region.added",
            actor=actor,
            deliberation=deliberation,
            obj=region,
            label=region.name,
            extra={"name_en": name_en, "districts": names},
        )
    return region


def do_update_region(
    region: Region, name: str, name_en: str, districts: Iterable[str], *, actor: Any
) -> Region:
    """Rename a region, set its English name and districts.

    The organizer's set-up that names the region (margins, quotas, fieldwork quotas)
    follows a rename; records of people (volunteers, seats, respondents) are what they
    said, so a region they carry keeps its name.
    """
    name, name_en, names = _region_fields(name, name_en, districts)
    with transaction.atomic():
        deliberation = Deliberation.objects.select_for_update().get(pk=region.deliberation_id)
        region = Region.objects.get(pk=region.pk)
        old = region.name
        before = {
            **audit.values_of(region, ["name", "name_en"]),
            "districts": _district_names(region),
        }
        if name != old:
            if Region.objects.filter(deliberation=deliberation, name=name).exists():
                raise ActionRefused("region_exists", _("There is a region of this name already."))
            _refuse_if_in_use(
                deliberation, old, region_people(deliberation, old), "region_in_use_rename"
            )
            PopulationMargin.objects.filter(
                deliberation=deliberation, feature="region", value=old
            ).update(value=name)
            PanelQuota.objects.filter(
                deliberation=deliberation, feature="region", value=old
            ).update(value=name)
            region_renamed.send(Region, deliberation=deliberation, old=old, new=name)
        _refuse_taken_districts(deliberation, names, region)
        region.name, region.name_en = name, name_en
        region.save(update_fields=["name", "name_en"])
        _set_districts(region, names)
        after = {
            **audit.values_of(region, ["name", "name_en"]),
            "districts": _district_names(region),
        }
        audit.record(
            "region.updated",
            actor=actor,
            deliberation=deliberation,
            obj=region,
            label=region.name,
            changes=audit.changes_between(before, after),
        )
    return region


def _district_names(region: Region) -> list[str]:
    return list(
        District.objects.filter(region=region).order_by("order").values_list("name", flat=True)
    )


def do_move_region(region: Region, step: int, *, actor: Any) -> None:
    """Move a region one place up (step -1) or down (+1); the regions are renumbered."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=region.deliberation_id)
        regions = list(
            Region.objects.filter(deliberation_id=region.deliberation_id).order_by("order", "name")
        )
        index = next(i for i, r in enumerate(regions) if r.pk == region.pk)
        target = index + (1 if step > 0 else -1)
        before = [r.name for r in regions]
        if 0 <= target < len(regions):
            regions[index], regions[target] = regions[target], regions[index]
        for order, r in enumerate(regions):
            r.order = order
        Region.objects.bulk_update(regions, ["order"])
        after = [r.name for r in regions]
        if after != before:
            audit.record(
                "region.moved",
                actor=actor,
                deliberation=region.deliberation_id,
                obj=region,
                label=region.name,
                changes={"order": [before, after]},
            )


def do_delete_region(region: Region, *, actor: Any) -> None:
    """Delete a region nothing uses: no margin, quota, volunteer, seat or respondent."""
    with transaction.atomic():
        deliberation = Deliberation.objects.select_for_update().get(pk=region.deliberation_id)
        region = Region.objects.get(pk=region.pk)
        uses = []
        margins = PopulationMargin.objects.filter(
            deliberation=deliberation, feature="region", value=region.name
        )
        if margins.exists():
            uses.append(_("the population margins"))
        quotas = PanelQuota.objects.filter(
            deliberation=deliberation, feature="region", value=region.name
        )
        if quotas.exists():
            uses.append(_("the panel quotas"))
        uses += region_people(deliberation, region.name, deleting=True)
        _refuse_if_in_use(deliberation, region.name, uses, "region_in_use_delete")
        audit.record(
            "region.deleted", actor=actor, deliberation=deliberation, obj=region, label=region.name
        )
        region.delete()


def do_add_volunteers(
    deliberation: Deliberation,
    rows: Iterable[PoolRow],
    *,
    source: str,
    actor: Any = None,
    record_ids: list[str] | None = None,
    rng: random.Random | None = None,
) -> int:
    """Bulk-insert checked rows with their contacts; the whole batch or nothing.

    ``rng`` draws the record ids reproducibly (the synthetic demo); by default they come
    from the system's secure source.
    """
    rows = list(rows)
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        taken = Volunteer.objects.filter(deliberation=deliberation).values_list(
            "record_id", flat=True
        )
        record_ids = record_ids or new_record_ids(len(rows), taken, rng=rng)
        Volunteer.objects.bulk_create(
            [
                Volunteer(
                    deliberation=deliberation,
                    external_id=r.external_id,
                    record_id=record_id,
                    source=source,
                    features=r.features,
                )
                for r, record_id in zip(rows, record_ids, strict=True)
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
        audit.record(
            "volunteers.added",
            actor=actor,
            deliberation=deliberation,
            extra={"count": len(rows), "source": source},
        )
    return len(rows)


def do_import_pool(deliberation: Deliberation, check: PoolCheck, *, actor: Any) -> int:
    if not check.ok:
        raise ValueError("refusing to import a file with problems")
    return do_add_volunteers(deliberation, check.rows, source=Volunteer.Source.IMPORT, actor=actor)


def do_erase_contacts(deliberation: Deliberation, *, actor: Any) -> int:
    """Erase every contact of the pool; features, probabilities and the audit stay."""
    with transaction.atomic():
        n = VolunteerContact.objects.filter(
            volunteer__deliberation=deliberation, erased_at__isnull=True
        ).update(name="", email="", phone="", email_key="", phone_key="", erased_at=timezone.now())
        audit.record(
            "pool_contacts.erased", actor=actor, deliberation=deliberation, extra={"count": n}
        )
    return n


PLAN_FIELDS = (
    "panel_size",
    "tolerance",
    "lottery_size",
    "finishers",
    "attendance_rate",
    "attendance_feature",
    "attendance_rates",
)


def do_update_plan(
    deliberation: Deliberation,
    *,
    panel_size: int,
    tolerance: Decimal,
    lottery_size: int,
    actor: Any,
    finishers: int | None = None,
    attendance_rate: Decimal = Decimal("1.000"),
    attendance_feature: str = "",
    attendance_rates: dict[str, float] | None = None,
) -> PanelPlan:
    """Save the plan; with a number of finishers the panel size is computed, not taken."""
    with transaction.atomic():
        plan, _ = PanelPlan.objects.select_for_update().get_or_create(deliberation=deliberation)
        before = audit.values_of(plan, PLAN_FIELDS)
        plan.panel_size = panel_size
        plan.tolerance = tolerance
        plan.lottery_size = lottery_size
        plan.finishers = finishers
        plan.attendance_rate = attendance_rate
        plan.attendance_feature = attendance_feature
        if attendance_rates is not None:
            plan.attendance_rates = attendance_rates
        if not attendance_feature:
            plan.attendance_rates = {}
        recruitment = selectors.recruitment(deliberation, plan)
        if recruitment is not None:
            plan.panel_size = recruitment.draw_size
        plan.save()
        audit.record(
            "plan.updated",
            actor=actor,
            deliberation=deliberation,
            obj=plan,
            changes=audit.changed(before, plan),
        )
    return plan


def do_replace_quotas(
    deliberation: Deliberation, quotas: Iterable[selection.Quota], *, actor: Any
) -> None:
    quotas = list(quotas)
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        before = _quota_values(deliberation)
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
        audit.record(
            "quotas.replaced",
            actor=actor,
            deliberation=deliberation,
            changes=audit.changes_between(before, _quota_values(deliberation)),
        )


def _quota_values(deliberation: Deliberation) -> dict[str, list[int]]:
    """Each quota as "feature=value" -> [min, max], for the audit log."""
    return {
        f"{feature}={value}": [low, high]
        for feature, value, low, high in PanelQuota.objects.filter(deliberation=deliberation)
        .order_by("feature", "value")
        .values_list("feature", "value", "min", "max")
    }


def do_derive_quotas(deliberation: Deliberation, *, actor: Any) -> list[selection.Quota]:
    """Quotas from the shares; an over-recruited plan first resizes to the shares of today."""
    with transaction.atomic():
        plan = plan_of(deliberation)
        recruitment = selectors.recruitment(deliberation, plan)
        if recruitment is not None and plan.panel_size != recruitment.draw_size:
            do_update_plan(
                deliberation,
                panel_size=recruitment.draw_size,
                tolerance=plan.tolerance,
                lottery_size=plan.lottery_size,
                finishers=plan.finishers,
                attendance_rate=plan.attendance_rate,
                attendance_feature=plan.attendance_feature,
                attendance_rates=plan.attendance_rates,
                actor=actor,
            )
        quotas = selectors.derived_quotas(deliberation)
        do_replace_quotas(deliberation, quotas, actor=actor)
    return quotas


def do_apply_relaxation(
    deliberation: Deliberation, changes: Iterable[selection.QuotaChange], *, actor: Any
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
        audit.record(
            "quotas.relaxed",
            actor=actor,
            deliberation=deliberation,
            changes={
                f"{c.feature}={c.value}": [[c.old_min, c.old_max], [c.new_min, c.new_max]]
                for c in changes
            },
        )
    return len(changes)


class RunAlreadyActive(Exception):
    """Another selection run of this deliberation is queued or running."""


def do_start_run(deliberation: Deliberation, *, actor: Any, seed: int = 0) -> SelectionRun:
    """Queue a run on a frozen snapshot of the inputs; its task is queued after commit.

    A run still marked queued or running whose task no worker will finish (it was started
    by a process that died before the queue existed, or its task was lost) is marked failed
    here instead of refusing every new run.
    """
    try:
        with transaction.atomic():
            Deliberation.objects.select_for_update().get(pk=deliberation.pk)
            for active in SelectionRun.objects.filter(
                deliberation=deliberation, status__in=SelectionRun.ACTIVE
            ):
                if not background.is_abandoned(active.task_id, active.created_at):
                    raise RunAlreadyActive
                SelectionRun.objects.filter(pk=active.pk).update(
                    status=SelectionRun.Status.FAILED,
                    finished_at=timezone.now(),
                    progress="",
                    error="Interrupted: the computation was lost with the process running it.",
                )
                _log("stale selection run %s marked failed", active.pk)
            inputs = snapshot(deliberation)
            inputs["lottery_size"] = plan_of(deliberation).lottery_size
            run = SelectionRun.objects.create(
                deliberation=deliberation,
                created_by=actor if getattr(actor, "pk", None) else None,
                seed=seed,
                inputs=inputs,
                progress=SelectionRun.Progress.QUEUED,
            )
            background.enqueue_on_commit(compute_selection_run, SelectionRun, run.pk)
            audit.record(
                "run.started",
                actor=actor,
                deliberation=deliberation,
                obj=run,
                label=f"#{run.pk}",
                extra={"seed": seed, "inputs_digest": run.inputs_digest},
            )
    except IntegrityError:
        raise RunAlreadyActive from None
    return run


class RunNotActive(Exception):
    """The run has finished already (done, failed or cancelled); there is nothing to cancel."""


def do_cancel_run(run: SelectionRun, *, actor: Any) -> SelectionRun:
    """Cancel a queued or running computation; the worker stops at its next step."""
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=run.deliberation_id)
        run = SelectionRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in SelectionRun.ACTIVE:
            raise RunNotActive
        run.status = SelectionRun.Status.CANCELLED
        run.progress = ""
        run.cancelled_at = run.finished_at = timezone.now()
        run.cancelled_by = actor if getattr(actor, "pk", None) else None
        run.save(
            update_fields=["status", "progress", "cancelled_at", "finished_at", "cancelled_by"]
        )
        audit.record(
            "run.cancelled",
            actor=actor,
            deliberation=run.deliberation_id,
            obj=run,
            label=f"#{run.pk}",
        )
    return run


class DrawRefused(Exception):
    """The draw cannot be made (no finished run, already drawn, bad number)."""


def do_draw(
    run: SelectionRun,
    public_number: str,
    *,
    actor: Any,
    users: list | None = None,
    reserves: int = 0,
):
    """Draw the panel from a finished run's lottery with the public number and seat it;
    draw `reserves` reserves, in order, with the same number (panels.reserves).

    `users` (in draw order) gives existing accounts to the drawn volunteers, as the demo does;
    otherwise accounts are made from the volunteers' contact e-mails.
    """
    if not str(public_number).isdigit():
        raise DrawRefused("The public number must be digits only.")
    if reserves < 0:
        raise DrawRefused(_("The number of reserves cannot be negative."))
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=run.deliberation_id)
        run = SelectionRun.objects.select_related("deliberation").get(pk=run.pk)
        if run.status != SelectionRun.Status.DONE or not run.lottery:
            raise DrawRefused("The computation has not finished.")
        if SelectionAudit.objects.filter(deliberation_id=run.deliberation_id).exists():
            raise DrawRefused("The panel has been drawn already.")
        problem = problem_from_inputs(run.inputs)
        lottery = lottery_from_json(run.lottery, problem)
        panel = lottery_core.draw(lottery, int(public_number))
        reserve_list = reserves_core.draw_reserves(problem, panel, int(public_number), reserves)
        selection_audit = SelectionAudit.objects.create(
            deliberation=run.deliberation,
            run=run,
            inputs_digest=run.inputs_digest,
            algorithm=run.algorithm,
            lottery=run.lottery,
            lottery_digest=digest_of(run.lottery),
            public_number=str(public_number),
            panel=panel,
            reserves=list(reserve_list.order),
            probabilities=lottery_person_probabilities(lottery),
            actor=actor if getattr(actor, "pk", None) else None,
            computed_at=run.finished_at,
        )
        seat_volunteers(run.deliberation, panel, users=users, id_field=id_field_of(run.inputs))
        audit.record(
            "draw.made",
            actor=actor,
            deliberation=run.deliberation_id,
            obj=selection_audit,
            label=f"#{selection_audit.pk}",
            extra={
                "run": run.pk,
                "public_number": str(public_number),
                "panel_size": len(panel),
                "reserves": len(reserve_list.order),
                "lottery_digest": selection_audit.lottery_digest,
            },
        )
    return selection_audit


def seat_volunteers(
    deliberation: Deliberation,
    drawn: list[str],
    *,
    users: Any = None,
    replaces: Any = None,
    id_field: str = "record_id",
) -> list[Panelist]:
    """Make Panelist rows (and panelist accounts) for drawn volunteers, in draw order.

    ``drawn`` are the volunteers' ids in the run's inputs (record ids; the organizer's
    own ids in runs made before record ids existed).
    """
    volunteers = {
        getattr(v, id_field): v
        for v in Volunteer.objects.filter(
            deliberation=deliberation, **{f"{id_field}__in": drawn}
        ).select_related("contact")
    }
    if users is None:
        users = accounts_for([volunteers[e] for e in drawn])
    start = (
        Panelist.objects.filter(deliberation=deliberation).aggregate(n=Max("draw_position"))["n"]
        or 0
    )
    seats = []
    for i, (drawn_id, user) in enumerate(zip(drawn, users, strict=True), start=start + 1):
        features = volunteers[drawn_id].features
        seats.append(
            Panelist(
                deliberation=deliberation,
                user=user,
                volunteer=volunteers[drawn_id],
                draw_position=i,
                pseudonym=f"P{i:04d}",
                **{
                    stratum: str(features.get(stratum, ""))[: STRATUM_LENGTHS[stratum]]
                    for stratum in STRATA
                },
                replaces=replaces,
            )
        )
    Panelist.objects.bulk_create(seats)
    record_seat_numbers({seat.user_id: i for i, seat in enumerate(seats, start=start + 1)})
    Volunteer.objects.filter(pk__in=[v.pk for v in volunteers.values()]).update(
        status=Volunteer.Status.SELECTED
    )
    return seats


def accounts_for(volunteers: list[Volunteer]) -> list:
    """A panelist account per volunteer: found by contact e-mail, else created.

    New accounts get random names: a name made of the volunteer's id would link the person
    to the pool and the public audit record.
    """
    User = get_user_model()
    emails = [
        v.contact.email.strip().lower()
        if hasattr(v, "contact") and v.contact.email and not v.contact.erased_at
        else ""
        for v in volunteers
    ]
    existing = {u.email.lower(): u for u in User.objects.filter(email__in=[e for e in emails if e])}
    new = []
    made_for: dict[int, Any] = {}
    for k, email in enumerate(emails):
        if email and email in existing:
            continue
        user = User(username=f"panelist-{secrets.token_hex(6)}", email=email)
        user.set_unusable_password()
        new.append(user)
        made_for[k] = user
        if email:
            existing[email] = user
    User.objects.bulk_create(new)
    created = {u.username: u for u in User.objects.filter(username__in=[u.username for u in new])}
    users = []
    for k, email in enumerate(emails):
        user = existing[email] if email else made_for[k]
        users.append(created.get(user.username, user))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=u, email=u.email, verified=False, primary=True)
            for u in created.values()
            if u.email
        ],
        ignore_conflicts=True,
    )
    group = Group.objects.get(name=Role.PANELIST)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users],
        ignore_conflicts=True,
    )
    return users


class ReplacementRefused(Exception):
    pass


def do_replace_panelist(panelist: Panelist, *, actor: Any) -> Panelist:
    """Replace a declined or dropped panelist keeping every quota; log it.

    A draw with a reserve list takes the next waiting reserve by the rule of the batches
    (panels.reserves.next_reserve: the seat's own stratum first, else the first reserve whose
    place keeps every quota) and records the replacement as a batch of one; when no reserve
    is left for the seat, nothing changes. Only a draw made without reserves draws the
    replacement from the whole pool, by a lottery seeded with the public number.
    """
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=panelist.deliberation_id)
        panelist = Panelist.objects.select_related("volunteer").get(pk=panelist.pk)
        if panelist.is_active:
            raise ReplacementRefused("Only a panelist who declined or dropped out is replaced.")
        if hasattr(panelist, "replaced_by"):
            raise ReplacementRefused("This panelist has been replaced already.")
        selection_audit = SelectionAudit.objects.select_related("run").get(
            deliberation_id=panelist.deliberation_id
        )
        if panelist.volunteer is None:
            raise ReplacementRefused("This panelist was not drawn from the pool.")
        problem = problem_from_inputs(selection_audit.run.inputs)
        current, used = _replayed(selection_audit)
        id_field = id_field_of(selection_audit.run.inputs)
        dropped = getattr(panelist.volunteer, id_field)
        now = timezone.now().isoformat()
        step: dict[str, Any]
        if selection_audit.reserves:
            try:
                chosen = reserves_core.next_reserve(
                    problem, current, selection_audit.reserves, dropped, used
                )
            except (lottery_core.ReplacementError, ValueError):
                raise ReplacementRefused(
                    _(
                        "No reserve is left for the stratum of %(seat)s, nor any other "
                        "reserve whose place keeps every quota. Nothing was changed: the "
                        "seat stays empty."
                    )
                    % {"seat": panelist.pseudonym}
                ) from None
            step = {
                "dropped": dropped,
                "replacement": chosen,
                "source": "reserves",
                "batch": _next_batch(selection_audit),
                "at": now,
            }
        else:
            exclude = sorted(
                set(
                    Volunteer.objects.filter(deliberation_id=panelist.deliberation_id)
                    .exclude(status=Volunteer.Status.AVAILABLE)
                    .values_list(id_field, flat=True)
                )
                - set(current)
            )
            seed = int(selection_audit.public_number) * 1000 + len(selection_audit.replacements) + 1
            try:
                chosen = lottery_core.replacement(problem, current, dropped, seed, exclude=exclude)
            except lottery_core.ReplacementError as exc:
                raise ReplacementRefused(str(exc)) from None
            step = {
                "dropped": dropped,
                "replacement": chosen,
                "seed": seed,
                "exclude": exclude,
                "at": now,
            }
        selection_audit.replacements = [*selection_audit.replacements, step]
        selection_audit.save(update_fields=["replacements"])
        Volunteer.objects.filter(pk=panelist.volunteer.pk).update(status=Volunteer.Status.WITHDRAWN)
        (seat,) = seat_volunteers(
            panelist.deliberation, [chosen], replaces=panelist, id_field=id_field
        )
        extra: dict[str, Any] = {"dropped": dropped, "replacement": chosen, "seat": seat.pseudonym}
        if "batch" in step:
            extra.update(source="reserves", batch=step["batch"])
        audit.record(
            "panelist.replaced",
            actor=actor,
            deliberation=panelist.deliberation_id,
            obj=panelist,
            label=panelist.pseudonym,
            extra=extra,
        )
    return seat


def _next_batch(selection_audit: SelectionAudit) -> int:
    """The number of the next batch of replacements from the reserves."""
    return 1 + max((int(step.get("batch", 0)) for step in selection_audit.replacements), default=0)


def _replayed(selection_audit: SelectionAudit) -> tuple[list[str], list[str]]:
    """The panel as the record's replacements left it, and everyone dropped or seated by a
    replacement (whom the reserve list passes over)."""
    current = list(selection_audit.panel)
    used: list[str] = []
    for step in selection_audit.replacements:
        current = [p for p in current if p != step["dropped"]] + [step["replacement"]]
        used += [step["dropped"], step["replacement"]]
    return current, used


def do_replace_from_reserves(deliberation: Deliberation, *, actor: Any) -> list[Panelist]:
    """Replace every current drop-out (declined or dropped, not yet replaced) from the reserve
    list, in draw order, as one batch logged in the audit record; returns the new seats.

    A drop-out no reserve left can replace keeping every quota keeps an empty seat; the
    rule is the one a single seat's replacement follows (do_replace_panelist).
    """
    with transaction.atomic():
        Deliberation.objects.select_for_update().get(pk=deliberation.pk)
        selection_audit = (
            SelectionAudit.objects.select_related("run").filter(deliberation=deliberation).first()
        )
        if selection_audit is None:
            raise ReplacementRefused(_("The panel has not been drawn yet."))
        if not selection_audit.reserves:
            raise ReplacementRefused(_("The draw has no reserve list."))
        id_field = id_field_of(selection_audit.run.inputs)
        seats = list(
            Panelist.objects.filter(
                deliberation=deliberation,
                status__in=[Panelist.Status.DECLINED, Panelist.Status.DROPPED],
                replaced_by__isnull=True,
                volunteer__isnull=False,
            )
            .select_related("volunteer")
            .order_by("draw_position", "pk")
        )
        if not seats:
            raise ReplacementRefused(_("No one has declined or dropped out."))
        problem = problem_from_inputs(selection_audit.run.inputs)
        current, used = _replayed(selection_audit)
        by_id = {getattr(seat.volunteer, id_field): seat for seat in seats}
        batch = reserves_core.replace_batch(
            problem, current, selection_audit.reserves, list(by_id), used
        )
        number = _next_batch(selection_audit)
        now = timezone.now().isoformat()
        steps: list[dict[str, Any]] = [
            {"dropped": d, "replacement": r, "source": "reserves", "batch": number, "at": now}
            for d, r in batch
            if r is not None
        ]
        if not steps:
            raise ReplacementRefused(
                _("No reserve left can replace a drop-out without breaking a quota.")
            )
        selection_audit.replacements = [*selection_audit.replacements, *steps]
        selection_audit.save(update_fields=["replacements"])
        Volunteer.objects.filter(
            pk__in=[by_id[step["dropped"]].volunteer_id for step in steps]
        ).update(status=Volunteer.Status.WITHDRAWN)
        new_seats = []
        for step in steps:
            (seat,) = seat_volunteers(
                deliberation,
                [step["replacement"]],
                replaces=by_id[step["dropped"]],
                id_field=id_field,
            )
            new_seats.append(seat)
        audit.record(
            "panelists.replaced_from_reserves",
            actor=actor,
            deliberation=deliberation.pk,
            obj=selection_audit,
            label=f"#{selection_audit.pk}",
            extra={
                "batch": number,
                "replacements": [
                    {
                        "seat": by_id[step["dropped"]].pseudonym,
                        "dropped": step["dropped"],
                        "replacement": step["replacement"],
                        "new_seat": seat.pseudonym,
                    }
                    for step, seat in zip(steps, new_seats, strict=True)
                ],
                "not_replaced": [by_id[d].pseudonym for d, r in batch if r is None],
            },
        )
    return new_seats


# The contact log's entry for a status set by hand.
STATUS_CONTACTS: dict[str, str] = {
    Panelist.Status.INVITED: SeatContact.Kind.INVITATION,
    Panelist.Status.CONFIRMED: SeatContact.Kind.CONFIRMED,
    Panelist.Status.DECLINED: SeatContact.Kind.DECLINED,
}


def do_set_panelist_status(panelist: Panelist, status: str, *, actor: Any) -> Panelist:
    """Record a seat's new status; a seat marked invited by hand (by telephone, say) is
    recorded as invited now, unless an invitation was sent before."""
    with transaction.atomic():
        locked = Panelist.objects.select_for_update().get(pk=panelist.pk)
        previous = locked.status
        now = timezone.now()
        locked.status = status
        locked.responded_at = now
        if status == Panelist.Status.INVITED and locked.invited_at is None:
            locked.invited_at = now
        locked.save(update_fields=["status", "responded_at", "invited_at"])
        if status in STATUS_CONTACTS and status != previous:
            SeatContact.objects.create(
                panelist=locked,
                kind=STATUS_CONTACTS[status],
                channel=SeatContact.Channel.STAFF,
                actor=actor,
                at=now,
            )
        panel_seat_changed.send(Panelist, panelist=locked, previous_status=previous)
        audit.record(
            "panelist.status_changed",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.pseudonym,
            changes=audit.changes_between({"status": previous}, {"status": status}),
        )
    return locked


# How a seat's answer reached Gongnon: the panelist's own, or a telephone call staff record.
ANSWER_CHANNELS = (SeatContact.Channel.PRODUCT, SeatContact.Channel.PHONE)
ANSWERS = {"confirm": Panelist.Status.CONFIRMED, "decline": Panelist.Status.DECLINED}


def do_record_seat_answer(
    panelist: Panelist, answer: str, *, channel: str, reason: str = "", actor: Any
) -> Panelist:
    """A seat's confirmation or decline (with its reason), given by the panelist in the
    product or by telephone to staff; logged on the seat and in the audit log.

    Refused, with nothing written, for an unknown answer or channel, a reason too long or
    given with a confirmation, or a seat that has declined or dropped out already.
    """
    reason = (reason or "").strip()
    if answer not in ANSWERS or channel not in ANSWER_CHANNELS:
        raise ActionRefused("invalid_answer", _("This answer cannot be recorded."))
    if len(reason) > REASON_LENGTH:
        raise ActionRefused(
            "reason_too_long",
            _("The reason may be at most %(n)d characters long.") % {"n": REASON_LENGTH},
        )
    if reason and answer != "decline":
        raise ActionRefused("reason_without_decline", _("Only a decline carries a reason."))
    status = ANSWERS[answer]
    with transaction.atomic():
        locked = Panelist.objects.select_for_update().get(pk=panelist.pk)
        if not locked.is_active:
            raise ActionRefused("seat_closed", _("This answer cannot be recorded."))
        previous = locked.status
        now = timezone.now()
        locked.status = status
        locked.responded_at = now
        locked.save(update_fields=["status", "responded_at"])
        SeatContact.objects.create(
            panelist=locked,
            kind=SeatContact.Kind.CONFIRMED if answer == "confirm" else SeatContact.Kind.DECLINED,
            channel=channel,
            reason=reason,
            actor=actor,
            at=now,
        )
        panel_seat_changed.send(Panelist, panelist=locked, previous_status=previous)
        audit.record(
            "panelist.answer_recorded",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.pseudonym,
            changes=audit.changes_between({"status": previous}, {"status": status}),
            extra={"channel": channel, "reason": reason},
        )
    return locked


def do_set_confirmation_deadline(
    deliberation: Deliberation, deadline: Any, *, actor: Any
) -> PanelPlan:
    """The date by which drawn seats are asked to answer (None: no deadline)."""
    with transaction.atomic():
        plan, _created = PanelPlan.objects.select_for_update().get_or_create(
            deliberation=deliberation
        )
        previous = audit.values_of(plan, ["confirmation_deadline"])
        plan.confirmation_deadline = deadline
        plan.save(update_fields=["confirmation_deadline"])
        audit.record(
            "confirmation_deadline.set",
            actor=actor,
            deliberation=deliberation,
            obj=plan,
            changes=audit.changes_between(
                previous, audit.values_of(plan, ["confirmation_deadline"])
            ),
        )
    return plan


def do_send_confirmation_reminders(
    deliberation: Deliberation, *, login_url: str, actor: Any
) -> int:
    """E-mail every invited seat that has not answered a reminder to confirm or decline;
    log each reminder on its seat."""
    plan = PanelPlan.objects.filter(deliberation=deliberation).first()
    deadline = plan.confirmation_deadline if plan else None
    seats = list(
        Panelist.objects.filter(deliberation=deliberation, status=Panelist.Status.INVITED)
        .exclude(user__email="")
        .select_related("user__profile")
    )
    messages = []
    for seat in seats:
        link = f"{login_url}?{urlencode({'email': seat.user.email})}"
        body = render_to_string(
            "panels/email/confirmation_reminder.txt",
            {"deliberation": deliberation, "seat": seat, "link": link, "deadline": deadline},
        )
        subject = _("Reminder: please confirm or decline your panel seat: %(title)s") % {
            "title": deliberation.title
        }
        messages.append((subject, body, None, [seat.user.email]))
    with transaction.atomic():
        _log_mails_and_send(seats, SeatContact.Kind.REMINDER, messages, actor, timezone.now())
        audit.record(
            "confirmation_reminders.sent",
            actor=actor,
            deliberation=deliberation,
            extra={"count": len(seats), "seats": [s.pseudonym for s in seats]},
        )
    return len(seats)


def _log_mails_and_send(seats: list, kind: str, messages: list, actor: Any, now: Any) -> None:
    """Log one e-mail contact per seat and send the e-mails once the transaction commits."""
    SeatContact.objects.bulk_create(
        SeatContact(
            panelist=seat, kind=kind, channel=SeatContact.Channel.EMAIL, actor=actor, at=now
        )
        for seat in seats
    )
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def do_send_invitations(deliberation: Deliberation, *, login_url: str, actor: Any) -> int:
    """E-mail every drawn seat not yet invited a sign-in-by-code link; mark those seats
    invited, with the time, in the transaction that queues the e-mails."""
    seats = list(
        Panelist.objects.filter(deliberation=deliberation, status=Panelist.Status.DRAWN)
        .exclude(user__email="")
        .select_related("user__profile")
    )
    messages = []
    for seat in seats:
        link = f"{login_url}?{urlencode({'email': seat.user.email})}"
        body = render_to_string(
            "panels/email/invitation.txt",
            {"deliberation": deliberation, "seat": seat, "link": link},
        )
        subject = _("You have been drawn for the citizen panel: %(title)s") % {
            "title": deliberation.title
        }
        messages.append((subject, body, None, [seat.user.email]))
    with transaction.atomic():
        now = timezone.now()
        Panelist.objects.filter(pk__in=[s.pk for s in seats]).update(
            status=Panelist.Status.INVITED, invited_at=now
        )
        _log_mails_and_send(seats, SeatContact.Kind.INVITATION, messages, actor, now)
        audit.record(
            "invitations.sent",
            actor=actor,
            deliberation=deliberation,
            extra={"count": len(seats), "seats": [s.pseudonym for s in seats]},
        )
    return len(seats)


# A refused file keeps this many of its problems for the page.
POOL_ISSUE_LIMIT = 5000


def pool_file_message(exc: PoolFileError) -> str:
    """Why a volunteer file was refused, in the current language."""
    if exc.limit is not None:
        return limit_message(exc.limit)
    return _(
        "The file cannot be read: use a CSV file (UTF-8 or CP949) or an XLSX workbook "
        "saved by a spreadsheet program."
    )


def do_queue_pool_import(
    deliberation: Deliberation, *, filename: str, content: bytes, actor: Any, language: str
) -> PoolImport:
    """Keep an uploaded volunteer file and queue its check and import for the worker."""
    with transaction.atomic():
        pool_import = PoolImport.objects.create(
            deliberation=deliberation,
            filename=filename[:200],
            content=content,
            language=language[:10],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        background.enqueue_on_commit(run_pool_import, PoolImport, pool_import.pk)
        audit.record(
            "pool_import.queued",
            actor=actor,
            deliberation=deliberation,
            obj=pool_import,
            label=pool_import.filename,
            extra={"bytes": len(content)},
        )
    return pool_import


def _pool_step(import_id: int, **fields: Any) -> None:
    PoolImport.objects.filter(pk=import_id, status=PoolImport.Status.RUNNING).update(**fields)


def import_pool_file(import_id: int) -> str:
    """Read, check and add a queued volunteer file; returns the status it ended with.

    The check against the pool and the insert run in one transaction with the
    deliberation locked, and the row is marked done in it too: a worker killed before the
    commit leaves nothing written, and the file is then checked and added again whole.
    """
    claimed = PoolImport.objects.filter(pk=import_id, status__in=PoolImport.ACTIVE).update(
        status=PoolImport.Status.RUNNING, progress=PoolImport.Progress.READING
    )
    pool_import = PoolImport.objects.select_related("deliberation").get(pk=import_id)
    if not claimed:
        return pool_import.status
    deliberation = pool_import.deliberation
    with translation.override(pool_import.language):
        try:
            table = read_pool_table(
                pool_import.filename, bytes(pool_import.content), upload_limits()
            )
        except PoolFileError as exc:
            _pool_step(
                import_id,
                status=PoolImport.Status.FAILED,
                progress="",
                error=pool_file_message(exc),
                finished_at=timezone.now(),
            )
            return PoolImport.Status.FAILED
        _pool_step(import_id, progress=PoolImport.Progress.CHECKING)
        with transaction.atomic():
            Deliberation.objects.select_for_update().get(pk=deliberation.pk)
            locked = PoolImport.objects.select_for_update().get(pk=import_id)
            if locked.status != PoolImport.Status.RUNNING:
                return locked.status
            ids, emails, phones = selectors.contact_keys(deliberation)
            allowed = selectors.allowed_values(deliberation)
            check = check_pool_rows(
                table,
                allowed,
                existing_ids=ids,
                existing_emails=emails,
                existing_phones=phones,
                defaults=selectors.pool_defaults(deliberation, allowed),
            )
            if check.ok:
                locked.imported = do_import_pool(deliberation, check, actor=locked.created_by)
                locked.status = PoolImport.Status.DONE
            else:
                locked.issues = [asdict(issue) for issue in check.issues[:POOL_ISSUE_LIMIT]]
                locked.status = PoolImport.Status.FAILED
            locked.progress = ""
            locked.finished_at = timezone.now()
            locked.save()
    return locked.status


def do_cancel_pool_import(pool_import: PoolImport, *, actor: Any = None) -> PoolImport:
    """Cancel a queued or running volunteer file; the worker then adds nobody from it."""
    with transaction.atomic():
        locked = PoolImport.objects.select_for_update().get(pk=pool_import.pk)
        if not locked.active:
            raise ActionRefused(
                "not_active", _("This file has already been handled; nothing was cancelled.")
            )
        locked.status = PoolImport.Status.CANCELLED
        locked.progress = ""
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "progress", "finished_at"])
        audit.record(
            "pool_import.cancelled",
            actor=actor,
            deliberation=locked.deliberation_id,
            obj=locked,
            label=locked.filename,
        )
    return locked


@task()
def run_pool_import(import_id: int) -> str:
    """The queued task of a volunteer file."""
    return import_pool_file(import_id)
