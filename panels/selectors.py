"""Readers of the panels app: what pages, actions and other stages need to know."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from deliberation.core import audit as audit_log
from deliberation.core.models import Deliberation
from panels import selection
from panels.audit_record import RECORD_FORMAT
from panels.funnel import FUNNEL_FEATURES, OPINION, FunnelStep, count_step
from panels.labels import StrataLabels, funnel_step_label
from panels.models import (
    District,
    Panelist,
    PanelPlan,
    PanelQuota,
    PollTarget,
    PopulationMargin,
    Region,
    SelectionAudit,
    SelectionRun,
    Volunteer,
    VolunteerContact,
)
from panels.problem import id_field_of, plan_of
from panels.recruitment import Recruitment, plan_recruitment
from panels.representativeness import FeatureComparison, compare
from panels.strata import DEFAULT_AGE_BANDS, DEFAULT_GENDERS, STRATA


def active_panel(deliberation: Deliberation) -> QuerySet[Panelist]:
    """The deliberation's panel as every page and report counts it (Panelist.objects.active)."""
    return Panelist.objects.active().filter(deliberation=deliberation)


def panel_peers(user: Any) -> QuerySet:
    """The people on the panels this person sits on (no two share a display name)."""
    return (
        Panelist.objects.filter(deliberation__panelists__user=user)
        .values_list("user_id", flat=True)
        .distinct()
    )


def allowed_values(deliberation: Deliberation) -> dict[str, set[str]]:
    """The values each selection feature may take: from the quotas, else the margins."""
    source = PanelQuota.objects.filter(deliberation=deliberation)
    if not source.exists():
        source = PopulationMargin.objects.filter(deliberation=deliberation)
    allowed: dict[str, set[str]] = {}
    for feature, value in source.order_by("feature", "value").values_list("feature", "value"):
        allowed.setdefault(feature, set()).add(value)
    if not PanelQuota.objects.filter(deliberation=deliberation).exists():
        for feature, value in PollTarget.objects.filter(deliberation=deliberation).values_list(
            "feature", "value"
        ):
            allowed.setdefault(feature, set()).add(value)
    return allowed


def pool_defaults(
    deliberation: Deliberation, allowed: Mapping[str, Iterable[str]]
) -> dict[str, str]:
    """The features a volunteer file may leave out, with the value its rows then get.

    A feature whose targets come from the poll (prior opinion) has a "no answer" category:
    a list without the column, or with an empty cell, puts the volunteer there, as the poll
    does for a respondent who skipped the question.
    """
    features = set(
        PollTarget.objects.filter(deliberation=deliberation).values_list("feature", flat=True)
    )
    return {
        feature: PollTarget.NO_ANSWER
        for feature in sorted(features)
        if PollTarget.NO_ANSWER in set(allowed.get(feature, ()))
    }


def contact_keys(deliberation: Deliberation) -> tuple[set[str], set[str], set[str]]:
    """External ids, normalised e-mails and phones already in the pool."""
    ids = set(
        Volunteer.objects.filter(deliberation=deliberation).values_list("external_id", flat=True)
    )
    contacts = VolunteerContact.objects.filter(volunteer__deliberation=deliberation)
    emails = set(contacts.exclude(email_key="").values_list("email_key", flat=True))
    phones = set(contacts.exclude(phone_key="").values_list("phone_key", flat=True))
    return ids, emails, phones


def derived_quotas(deliberation: Deliberation) -> list[selection.Quota]:
    """Quotas of population share ± tolerance for the planned panel size."""
    plan = plan_of(deliberation)
    shares = target_shares(deliberation)
    recruitment_plan = recruitment(deliberation, plan, shares)
    if recruitment_plan is not None:
        return selection.quotas_from_shares(
            recruitment_plan.drawn_shares, recruitment_plan.draw_size, float(plan.tolerance)
        )
    return selection.quotas_from_shares(shares, plan.panel_size, float(plan.tolerance))


def target_shares(deliberation: Deliberation) -> dict[str, dict[str, float]]:
    """Every selection feature's target shares: the census margins and the weighted poll's."""
    return {**population_shares(deliberation), **poll_target_shares(deliberation)}


def recruitment(
    deliberation: Deliberation,
    plan: PanelPlan,
    shares: Mapping[str, Mapping[str, float]] | None = None,
) -> Recruitment | None:
    """The over-recruitment of a plan that names its finishers; None for a plain panel size."""
    if not plan.finishers:
        return None
    return plan_recruitment(
        plan.finishers,
        target_shares(deliberation) if shares is None else shares,
        float(plan.attendance_rate),
        rate_feature=plan.attendance_feature,
        rates={k: float(v) for k, v in (plan.attendance_rates or {}).items()},
    )


def audit_record(audit: SelectionAudit) -> dict:
    """The audit as one JSON document: what `verify_draw` and anyone else can check."""
    run = audit.run
    return {
        "format": RECORD_FORMAT,
        "deliberation": audit.deliberation.slug,
        "audit_id": audit.pk,
        "algorithm": audit.algorithm,
        "inputs_digest": audit.inputs_digest,
        "inputs": {k: run.inputs[k] for k in ("panel_size", "quotas", "people")},
        "lottery_digest": audit.lottery_digest,
        "lottery": audit.lottery,
        "public_number": audit.public_number,
        "panel": audit.panel,
        "reserves": audit.reserves,
        "probabilities": audit.probabilities,
        "replacements": audit.replacements,
        "computed_at": audit.computed_at.isoformat() if audit.computed_at else None,
        "drawn_at": audit.drawn_at.isoformat() if audit.drawn_at else None,
        # The organizers' writes that shaped the draw (margins, regions, plan, quotas,
        # runs, the draw), oldest first, from the deliberation's audit log.
        "audit_log_csv": audit_log.log_csv(
            audit_log.entries_of(audit.deliberation)
            .filter(event_type__in=audit_log.SELECTION_EVENTS)
            .order_by("acted_at", "pk")
        ),
    }


def reserves_by_stratum(audit: SelectionAudit) -> list[dict[str, Any]]:
    """The draw's reserves grouped by stratum (their values on every quota feature), each
    group in reserve order: rank in the whole list, record id, and the seat a reserve took
    (None while waiting). Groups come in the order of their first reserve."""
    inputs = audit.run.inputs
    features = list(dict.fromkeys(q[0] for q in inputs.get("quotas", [])))
    people = inputs.get("people", {})
    id_field = id_field_of(inputs)
    seats = dict(
        Panelist.objects.filter(
            deliberation_id=audit.deliberation_id,
            **{f"volunteer__{id_field}__in": audit.reserves},
        ).values_list(f"volunteer__{id_field}", "pseudonym")
    )
    dropped = {step["dropped"] for step in audit.replacements}
    groups: dict[tuple, dict[str, Any]] = {}
    for rank, rid in enumerate(audit.reserves, start=1):
        values = tuple(str(people.get(rid, {}).get(f, "")) for f in features)
        group = groups.setdefault(
            values, {"stratum": list(zip(features, values, strict=True)), "reserves": []}
        )
        group["reserves"].append(
            {"rank": rank, "record_id": rid, "seat": seats.get(rid), "left": rid in dropped}
        )
    for group in groups.values():
        group["waiting"] = sum(1 for r in group["reserves"] if r["seat"] is None)
    return list(groups.values())


def population_shares(deliberation: Deliberation) -> dict[str, dict[str, float]]:
    """Feature -> category -> population share, as the organizer entered them."""
    population: dict[str, dict[str, float]] = {}
    for feature, value, share in (
        PopulationMargin.objects.filter(deliberation=deliberation)
        .order_by("feature", "value")
        .values_list("feature", "value", "share")
    ):
        population.setdefault(feature, {})[value] = float(share)
    return population


def poll_target_shares(deliberation: Deliberation) -> dict[str, dict[str, float]]:
    """Feature -> category -> share in the weighted poll (features without a census margin)."""
    shares: dict[str, dict[str, float]] = {}
    for feature, value, share in (
        PollTarget.objects.filter(deliberation=deliberation)
        .order_by("feature", "order", "value")
        .values_list("feature", "value", "share")
    ):
        shares.setdefault(feature, {})[value] = float(share)
    return shares


def poll_targets(deliberation: Deliberation) -> list[PollTarget]:
    return list(
        PollTarget.objects.filter(deliberation=deliberation).order_by("feature", "order", "value")
    )


def panel_counts(deliberation: Deliberation, feature: str) -> dict[str, int]:
    """The active panel's members per category of a feature (one query).

    The strata are read from the seat (they are copied from the volunteer when seated, and
    set directly for panels not drawn from a pool); other features from the volunteer.
    """
    panel = active_panel(deliberation)
    if feature in STRATA:
        column = feature
    else:
        panel = panel.filter(volunteer__isnull=False)
        column = f"volunteer__features__{feature}"
    return {
        str(value): n
        for value, n in panel.values_list(column).annotate(n=Count("id")).order_by()
        if value is not None
    }


def pool_counts(deliberation: Deliberation, feature: str) -> dict[str, int]:
    return {
        str(value): n
        for value, n in Volunteer.objects.filter(deliberation=deliberation)
        .values_list(f"features__{feature}")
        .annotate(n=Count("id"))
        .order_by()
        if value is not None
    }


def representativeness(
    deliberation: Deliberation, features: Iterable[str] | None = None
) -> list[FeatureComparison]:
    """Population (or weighted poll) against pool and active panel, per feature of the margins
    and quotas.

    The panels page and the policy report both show this, so they count the same panel.
    """
    # A feature without a census margin (prior opinion) is compared with the weighted poll.
    population = target_shares(deliberation)
    if features is None:
        quota_features = (
            PanelQuota.objects.filter(deliberation=deliberation)
            .order_by("feature")
            .values_list("feature", flat=True)
        )
        features = dict.fromkeys([*population, *quota_features])
    features = list(features)
    return compare(
        {f: population[f] for f in features if f in population},
        {f: pool_counts(deliberation, f) for f in features},
        {f: panel_counts(deliberation, f) for f in features},
    )


def selection_probabilities(deliberation: Deliberation) -> dict[str, float] | None:
    """The drawn panel's probabilities, else the latest finished run's."""
    audit = SelectionAudit.objects.filter(deliberation=deliberation).first()
    if audit is not None:
        return audit.probabilities
    run = SelectionRun.objects.filter(
        deliberation=deliberation, status=SelectionRun.Status.DONE
    ).first()
    return run.probabilities if run else None


def labels_for(deliberation: Deliberation) -> StrataLabels:
    """The deliberation's labels for features and categories, read once per instance."""
    cached = getattr(deliberation, "_strata_labels", None)
    if cached is None:
        english = {
            ("region", name): name_en
            for name, name_en in Region.objects.filter(deliberation_id=deliberation.pk)
            .exclude(name_en="")
            .order_by()
            .values_list("name", "name_en")
        }
        cached = StrataLabels(english=english)
        deliberation._strata_labels = cached  # type: ignore[attr-defined]
    return cached


def regions_of(deliberation_id: int) -> list[Region]:
    """The deliberation's regions in order, each with its districts (two queries)."""
    return list(
        Region.objects.filter(deliberation_id=deliberation_id)
        .order_by("order", "name")
        .prefetch_related(
            Prefetch("districts", queryset=District.objects.order_by("order", "name"))
        )
    )


def region_names(deliberation_id: int) -> list[str]:
    """The names respondents, volunteers, seats, margins and quotas may give as a region."""
    return list(
        Region.objects.filter(deliberation_id=deliberation_id)
        .order_by("order", "name")
        .values_list("name", flat=True)
    )


def district_regions(deliberation_id: int) -> list[tuple[str, str]]:
    """(district, its region's name), in the regions' and then the districts' order."""
    return list(
        District.objects.filter(deliberation_id=deliberation_id)
        .order_by("region__order", "region__name", "order", "name")
        .values_list("name", "region__name")
    )


def margin_categories(deliberation: Deliberation) -> dict[str, list[str]]:
    """Feature -> its categories, as the margins form and its CSV template list them.

    Regions are the deliberation's (else those of its margins); gender and age band
    those of the margins, else the common ones; any other feature in the margins too.
    """
    from_margins: dict[str, list[str]] = {}
    for feature, value in (
        PopulationMargin.objects.filter(deliberation=deliberation)
        .order_by("feature", "value")
        .values_list("feature", "value")
    ):
        from_margins.setdefault(feature, []).append(value)
    regions = region_names(deliberation.pk)
    categories = {
        "region": regions or from_margins.get("region", []),
        "gender": from_margins.get("gender") or list(DEFAULT_GENDERS),
        "age_band": from_margins.get("age_band") or list(DEFAULT_AGE_BANDS),
    }
    for feature, values in from_margins.items():
        categories.setdefault(feature, values)
    return categories


def category_order(deliberation: Deliberation) -> dict[str, list[str]]:
    """Feature -> its categories in the deliberation's order: the margins' categories
    (regions as set up) and the prior opinion's answers in the questionnaire's order."""
    order = margin_categories(deliberation)
    for target in poll_targets(deliberation):
        order.setdefault(target.feature, []).append(target.value)
    return order


def seat_stratum_features(deliberation: Deliberation) -> list[str]:
    """The features a seat's stratum is told by: the draw's quota features, else the strata."""
    record = deliberation.selection_audits.select_related("run").first()
    features = list(
        dict.fromkeys(q[0] for q in (record.run.inputs if record else {}).get("quotas", []))
    )
    return features or list(STRATA)


def _seat_values(seat: Panelist, features: list[str]) -> tuple[str, ...]:
    recorded = seat.volunteer.features if seat.volunteer is not None else {}
    return tuple(str(recorded.get(f, getattr(seat, f, "")) or "") for f in features)


def confirmation_dashboard(deliberation: Deliberation, *, now: Any = None) -> dict[str, Any]:
    """Per stratum, where the confirmations stand: seats drawn, invited, confirmed,
    declined (declined or dropped, not yet replaced), with no answer (invited, not
    answered; "overdue" once the confirmation deadline passed), and the reserves still
    waiting in that stratum. A stratum "needs reserves" while it has an unreplaced
    drop-out or an overdue seat. Strata that need reserves come first, then the rest, each
    in the deliberation's order of categories (regions as set up, age bands young to old)."""
    now = now or timezone.now()
    plan = PanelPlan.objects.filter(deliberation=deliberation).first()
    deadline = plan.confirmation_deadline if plan else None
    overdue_now = deadline is not None and now >= deadline
    features = seat_stratum_features(deliberation)
    record = deliberation.selection_audits.select_related("run").first()
    waiting: dict[tuple, int] = {}
    if record is not None and record.reserves:
        for group in reserves_by_stratum(record):
            key = tuple(value for _feature, value in group["stratum"])
            if len(key) == len(features):
                waiting[key] = waiting.get(key, 0) + group["waiting"]
    seats = (
        Panelist.objects.filter(deliberation=deliberation)
        .select_related("volunteer")
        .annotate(n_replaced=Count("replaced_by"))
        .order_by("draw_position", "pseudonym")
    )
    names = ("drawn", "invited", "confirmed", "declined", "no_answer", "overdue")
    rows: dict[tuple, dict[str, Any]] = {}
    for seat in seats:
        key = _seat_values(seat, features)
        row = rows.setdefault(
            key, {"stratum": list(zip(features, key, strict=True)), **dict.fromkeys(names, 0)}
        )
        row["drawn"] += 1
        if seat.invited_at is not None:
            row["invited"] += 1
        if seat.status == Panelist.Status.CONFIRMED:
            row["confirmed"] += 1
        elif seat.status in (Panelist.Status.DECLINED, Panelist.Status.DROPPED):
            if not seat.n_replaced:
                row["declined"] += 1
        elif seat.status == Panelist.Status.INVITED:
            row["no_answer"] += 1
            if overdue_now:
                row["overdue"] += 1
    for key, row in rows.items():
        row["reserves_waiting"] = waiting.get(key, 0)
        row["needs_reserves"] = row["declined"] + row["overdue"] > 0
    totals = {name: sum(row[name] for row in rows.values()) for name in names}
    totals["reserves_waiting"] = sum(waiting.values())
    order = category_order(deliberation)
    rank = {f: {c: k for k, c in enumerate(order.get(f, ()))} for f in features}

    def position(key: tuple) -> tuple:
        pairs = zip(features, key, strict=True)
        return tuple((rank[f].get(value, len(rank[f])), value) for f, value in pairs)

    ordered = sorted(rows, key=lambda key: (not rows[key]["needs_reserves"], position(key)))
    return {
        "rows": [rows[key] for key in ordered],
        "totals": totals,
        "deadline": deadline,
        "overdue_now": overdue_now,
        "has_reserves": record is not None and bool(record.reserves),
    }


def contact_log(deliberation: Deliberation) -> list[Panelist]:
    """Every seat with its contact log, in draw order, in a fixed number of queries.

    The few staff members who recorded the contacts are read once and shared by every
    row, so naming them (profile, roles) costs a query per staff member, not per row."""
    seats = list(
        Panelist.objects.filter(deliberation=deliberation)
        .select_related("replaced_by")
        .prefetch_related("contacts")
        .order_by("draw_position", "pseudonym")
    )
    actor_ids = {c.actor_id for seat in seats for c in seat.contacts.all() if c.actor_id}
    actors = get_user_model().objects.select_related("profile").in_bulk(actor_ids)
    for seat in seats:
        for contact in seat.contacts.all():
            if contact.actor_id:
                contact.actor = actors[contact.actor_id]
    return seats


# A seat that confirmed: confirmed now, or dropped out later (a declined seat never joined).
CONFIRMED_STATUSES = (Panelist.Status.CONFIRMED, Panelist.Status.DROPPED)


@dataclass(frozen=True)
class PoolFunnel:
    """Volunteers, drawn and confirmed as funnel steps, and every seat's strata by user
    (so a higher layer counts the seats' attendance and answers by the same strata)."""

    steps: tuple[FunnelStep, ...]
    seats: Mapping[int, Mapping[str, str]]


def pool_funnel(
    deliberation: Deliberation, order: Mapping[str, Sequence[str]] | None = None
) -> PoolFunnel:
    """The pool and panel part of the funnel, in two queries whatever their size.

    Every seat ever drawn counts as drawn (replacements too); the opinion stratum is the
    seat's volunteer's "opinion" feature when the pool carries one.
    """
    features = FUNNEL_FEATURES
    volunteers = [
        {f: str(v) for f, v in (features_of or {}).items() if f in features}
        for features_of in Volunteer.objects.filter(deliberation=deliberation).values_list(
            "features", flat=True
        )
    ]
    seats: dict[int, dict[str, str]] = {}
    confirmed = []
    for user_id, status, region, gender, age_band, opinion in Panelist.objects.filter(
        deliberation=deliberation
    ).values_list(
        "user_id", "status", "region", "gender", "age_band", f"volunteer__features__{OPINION}"
    ):
        seat = {"region": region, "gender": gender, "age_band": age_band}
        if opinion not in (None, ""):
            seat[OPINION] = str(opinion)
        seats[user_id] = seat
        if status in CONFIRMED_STATUSES:
            confirmed.append(seat)
    order = category_order(deliberation) if order is None else order
    steps = (
        count_step("volunteers", funnel_step_label("volunteers"), volunteers, features, order),
        count_step("drawn", funnel_step_label("drawn"), seats.values(), features, order),
        count_step("confirmed", funnel_step_label("confirmed"), confirmed, features, order),
    )
    return PoolFunnel(steps, seats)
