"""Demo population margins (approximate Seoul adults, 2021), volunteer pool and drawn panel.

The shares are rounded approximations of the resident-registration statistics; the
pages that show them say so. Every volunteer and panelist is synthetic.
"""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
from django.utils import timezone

from deliberation.core.models import Deliberation
from panels import actions
from panels.models import (
    Panelist,
    PanelPlan,
    PopulationMargin,
    SelectionRun,
    Volunteer,
    VolunteerContact,
)
from panels.pool_file import PoolRow
from panels.problem import snapshot
from panels.record_ids import new_record_ids
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


DEMO_POOL_SIZE = 3000
DEMO_PANEL_SIZE = 300
# Over-recruitment: 270 must finish and 90% of those drawn are expected to, so 300 are drawn;
# 30 reserves, ordered per stratum, replace drop-outs.
DEMO_FINISHERS = 270
DEMO_ATTENDANCE_RATE = Decimal("0.900")
DEMO_RESERVES = 30
DEMO_LOTTERY_SIZE = 1000
DEMO_PUBLIC_NUMBER = "20210910"
# Relative response rates by stratum: young men (above all in 도심권) volunteer least,
# older residents most, as in most civic-lottery pools.
RESPONSE_BY_AGE = {"18-29": 0.55, "30-39": 0.8, "40-49": 1.0, "50-59": 1.2, "60+": 1.25}
RESPONSE_BY_REGION_GENDER = {("도심권", "남성"): 0.5}


def _demo_volunteer_features(rng: np.random.Generator) -> list[dict[str, str]]:
    """Synthetic volunteers: population shares times stratum response rates."""
    margins = APPROXIMATE_SEOUL_MARGINS
    cells, weights = [], []
    for region, r_share in margins["region"].items():
        for gender, g_share in margins["gender"].items():
            for age, a_share in margins["age_band"].items():
                response = RESPONSE_BY_AGE[age] * RESPONSE_BY_REGION_GENDER.get(
                    (region, gender), 1.0
                )
                if gender == "남성" and age == "18-29":
                    response *= 0.6
                cells.append({"region": region, "gender": gender, "age_band": age})
                weights.append(r_share * g_share * a_share * response)
    p = np.array(weights) / sum(weights)
    picks = rng.choice(len(cells), size=DEMO_POOL_SIZE, p=p)
    return [cells[i] for i in picks]


def seed_pool(deliberation: Deliberation) -> None:
    """About 3,000 synthetic volunteers with synthetic contacts (example.org)."""
    if deliberation.volunteers.exists():
        return
    rng = np.random.default_rng(2021)
    rows = [
        PoolRow(
            row=i,
            external_id=f"V{i:05d}",
            features=features,
            name=f"합성 시민 {i:05d}",
            email=f"volunteer{i:05d}@example.org",
        )
        for i, features in enumerate(_demo_volunteer_features(rng), start=1)
    ]
    # Record ids from a seeded generator: the synthetic demo draws the same panel every time.
    actions.do_add_volunteers(
        deliberation,
        rows,
        source=Volunteer.Source.DEMO,
        record_ids=new_record_ids(len(rows), rng=random.Random(2021)),
    )


def seed_selection(deliberation: Deliberation, panelist_users: list, organizer) -> None:
    """Quotas from the margins ±2 percentage points (and from the weighted poll for prior
    opinion, when the poll's question is a stratum), over-recruited so that 270 are expected
    to finish, a computed lottery, and the panel and 30 reserves drawn from it.

    The drawn volunteers are seated, in draw order, as the demo accounts panelist001..300.
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
    seed_pool(deliberation)
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
    deliberation.panelists.update(status=Panelist.Status.CONFIRMED, invited_at=timezone.now())
