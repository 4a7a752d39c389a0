"""Demo population margins (approximate Seoul adults, 2021), the drawn panel and its drop-outs.

The shares are rounded approximations of the resident-registration statistics; the
pages that show them say so. The pool is the demo poll's volunteers (surveys.demo). Every
volunteer and panelist is synthetic, and so are their declines, absences and drop-outs.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from deliberation.core.models import Deliberation
from panels import actions, reserves
from panels.audit_record import problem_from_inputs
from panels.models import (
    Panelist,
    PanelPlan,
    PopulationMargin,
    SeatContact,
    SelectionRun,
    VolunteerContact,
)
from panels.problem import snapshot
from panels.runner import execute_run

# Seoul's five regions (권역), their English names and their 25 districts (자치구).
SEOUL_REGIONS: list[tuple[str, str, list[str]]] = [
    ("도심권", "Central", ["종로구", "중구", "용산구"]),
    (
        "동북권",
        "Northeast",
        ["성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구", "도봉구", "노원구"],
    ),
    ("서북권", "Northwest", ["은평구", "서대문구", "마포구"]),
    (
        "서남권",
        "Southwest",
        ["양천구", "강서구", "구로구", "금천구", "영등포구", "동작구", "관악구"],
    ),
    ("동남권", "Southeast", ["서초구", "강남구", "송파구", "강동구"]),
]
SEOUL_DISTRICTS = {name: districts for name, _en, districts in SEOUL_REGIONS}

APPROXIMATE_SEOUL_MARGINS: dict[str, dict[str, float]] = {
    "region": {"도심권": 0.05, "동북권": 0.315, "서북권": 0.12, "서남권": 0.317, "동남권": 0.198},
    "gender": {"남성": 0.485, "여성": 0.515},
    "age_band": {"18-29": 0.18, "30-39": 0.17, "40-49": 0.165, "50-59": 0.17, "60+": 0.315},
}


def seed_regions(deliberation: Deliberation) -> None:
    """Seoul's regions and districts, unless the deliberation has regions already."""
    if deliberation.regions.exists():
        return
    for name, name_en, districts in SEOUL_REGIONS:
        actions.do_add_region(deliberation, name, name_en, districts, actor=None)


def seed_margins(deliberation: Deliberation) -> None:
    for feature, shares in APPROXIMATE_SEOUL_MARGINS.items():
        for value, share in shares.items():
            PopulationMargin.objects.update_or_create(
                deliberation=deliberation,
                feature=feature,
                value=value,
                defaults={"share": Decimal(str(share))},
            )


DEMO_PANEL_SIZE = 300
# Over-recruitment: 270 must finish and 90% of those drawn are expected to, so 300 are drawn;
# 30 reserves, ordered per stratum, replace drop-outs.
DEMO_FINISHERS = 270
DEMO_ATTENDANCE_RATE = Decimal("0.900")
DEMO_RESERVES = 30
DEMO_LOTTERY_SIZE = 1000
DEMO_PUBLIC_NUMBER = "20210910"

# Synthetic drop-outs, so that the funnel loses people at every step as real panels do
# (Shin-Kori: 500 drawn, 478 at the orientation, 471 finished). In confirmation week some
# of those drawn decline, the young more often, and the reserves replace them in one batch.
DECLINE_RATE = {"18-29": 0.14, "30-39": 0.1}
DECLINE_RATE_DEFAULT = 0.06
DECLINE_REASONS = ["일정이 맞지 않음", "건강 문제", "관심 없음", "연락이 닿지 않은 뒤 거절"]
# Then, step by step in time order (the panel waves' labels and the sessions), the chance of
# having left for good by that step (the young leave more), and of missing that one step.
STEPS = ("pre", "regional", "mid", "plenary", "post")
LEFT_BY_STEP = {"18-29": (0.0, 0.04, 0.07, 0.1, 0.14), "30-39": (0.0, 0.03, 0.05, 0.08, 0.1)}
LEFT_BY_STEP_DEFAULT = (0.0, 0.02, 0.035, 0.05, 0.065)
MISS_BY_STEP = (0.01, 0.01, 0.005, 0.01, 0.005)


def takes_part(pseudonym: str, age_band: str, step: str) -> bool:
    """Whether a demo seat comes to a session or answers a wave (``step`` of STEPS).

    Fixed by the seat's pseudonym, so the forum and the panel waves, seeded apart, agree on
    who has left: one draw says when the seat leaves for good, one per step whether it
    misses that step only.
    """
    k = STEPS.index(step)
    rng = random.Random(f"gongnon-demo-attrition:{pseudonym}")
    leaves = rng.random()
    misses = [rng.random() for _ in STEPS]
    left = LEFT_BY_STEP.get(age_band, LEFT_BY_STEP_DEFAULT)[k]
    return leaves >= left and misses[k] >= MISS_BY_STEP[k]


def seed_selection(deliberation: Deliberation, panelist_users: list, organizer) -> None:
    """Quotas from the margins ±2 percentage points (and from the weighted poll for prior
    opinion, when the poll's question is a stratum), over-recruited so that 270 are expected
    to finish, a computed lottery, and the panel and 30 reserves drawn from it.

    The drawn volunteers are seated, in draw order, as the demo accounts panelist001..300.
    Invitations go out; some of those drawn decline by telephone and one batch replaces them
    from the reserves (the replacements' accounts come from their synthetic e-mails); every
    other seat confirms.
    """
    if deliberation.selection_audits.exists():
        return
    # Seats from an older demo, not drawn from the pool, give way to the drawn panel.
    deliberation.panelists.filter(volunteer__isnull=True).delete()
    PanelPlan.objects.update_or_create(
        deliberation=deliberation,
        defaults={
            "panel_size": DEMO_PANEL_SIZE,
            "tolerance": Decimal("0.02"),
            "lottery_size": DEMO_LOTTERY_SIZE,
            "finishers": DEMO_FINISHERS,
            "attendance_rate": DEMO_ATTENDANCE_RATE,
        },
    )
    actions.do_derive_quotas(deliberation, actor=organizer)
    run = deliberation.selection_runs.filter(status=SelectionRun.Status.DONE).first()
    if run is None:
        inputs = snapshot(deliberation)
        inputs["lottery_size"] = DEMO_LOTTERY_SIZE
        deliberation.selection_runs.filter(status__in=SelectionRun.ACTIVE).delete()
        run = SelectionRun.objects.create(
            deliberation=deliberation, created_by=organizer, inputs=inputs, seed=2021
        )
        run = execute_run(run.pk)
        if run.status != SelectionRun.Status.DONE:
            raise RuntimeError(f"demo selection failed: {run.error}")
    audit = actions.do_draw(
        run, DEMO_PUBLIC_NUMBER, actor=organizer, users=panelist_users, reserves=DEMO_RESERVES
    )
    by_id = dict(zip(audit.panel, panelist_users, strict=True))
    contacts = list(
        VolunteerContact.objects.filter(
            volunteer__deliberation=deliberation, volunteer__record_id__in=audit.panel
        ).select_related("volunteer")
    )
    for contact in contacts:
        contact.email = contact.email_key = by_id[contact.volunteer.record_id].email
    VolunteerContact.objects.bulk_update(contacts, ["email", "email_key"])
    seed_confirmations(deliberation, organizer)


def seed_confirmations(deliberation: Deliberation, organizer) -> None:
    """Invitations sent, synthetic declines by telephone replaced from the reserves in one
    batch, and every other seat confirmed.

    The declines are drawn among the seats the reserves can replace, so that the demo's
    panel keeps its 300 seats (a real panel may be left with a seat its reserves cannot
    fill; the panel page then says so).
    """
    now = timezone.now()
    deliberation.panelists.update(status=Panelist.Status.INVITED, invited_at=now)
    audit = deliberation.selection_audits.select_related("run").get()
    problem = problem_from_inputs(audit.run.inputs)
    rng = random.Random(f"gongnon-demo-declines:{DEMO_PUBLIC_NUMBER}")
    seats = {s.volunteer.record_id: s for s in deliberation.panelists.select_related("volunteer")}
    declining = [
        rid
        for rid in audit.panel
        if rng.random() < DECLINE_RATE.get(seats[rid].age_band, DECLINE_RATE_DEFAULT)
    ]
    while True:
        batch = reserves.replace_batch(problem, audit.panel, audit.reserves, declining)
        replaceable = [dropped for dropped, replacement in batch if replacement is not None]
        if replaceable == declining:
            break
        declining = replaceable
    for rid in declining:
        actions.do_record_seat_answer(
            seats[rid],
            "decline",
            channel=SeatContact.Channel.PHONE,
            reason=rng.choice(DECLINE_REASONS),
            actor=organizer,
        )
    if deliberation.panelists.filter(status=Panelist.Status.DECLINED).exists():
        actions.do_replace_from_reserves(deliberation, actor=organizer)
    deliberation.panelists.filter(
        status__in=[Panelist.Status.DRAWN, Panelist.Status.INVITED]
    ).update(status=Panelist.Status.CONFIRMED, invited_at=now, responded_at=now)
