"""Building pools and quotas for panel-selection tests."""

from __future__ import annotations

import itertools

from panels.models import PanelPlan, PanelQuota, PopulationMargin, Volunteer, VolunteerContact

REGIONS = ("도심권", "동북권")
GENDERS = ("남성", "여성")


def add_pool(deliberation, counts: dict[tuple[str, str], int], *, with_contacts: bool = True):
    """counts maps (region, gender) to how many volunteers of that kind to create."""
    n = itertools.count(Volunteer.objects.filter(deliberation=deliberation).count() + 1)
    volunteers = []
    for (region, gender), k in counts.items():
        for _ in range(k):
            i = next(n)
            volunteers.append(
                Volunteer(
                    deliberation=deliberation,
                    external_id=f"V{i:05d}",
                    record_id=f"V-{i:05d}",
                    source=Volunteer.Source.IMPORT,
                    features={"region": region, "gender": gender},
                )
            )
    Volunteer.objects.bulk_create(volunteers)
    if with_contacts:
        VolunteerContact.objects.bulk_create(
            [
                VolunteerContact(
                    volunteer=v,
                    name=f"시민 {v.external_id}",
                    email=f"{v.external_id.lower()}@example.org",
                    email_key=f"{v.external_id.lower()}@example.org",
                )
                for v in Volunteer.objects.filter(deliberation=deliberation)
            ],
            ignore_conflicts=True,
        )
    return volunteers


def set_quotas(deliberation, quotas: dict[tuple[str, str], tuple[int, int]], size: int):
    PanelPlan.objects.update_or_create(
        deliberation=deliberation, defaults={"panel_size": size, "lottery_size": 50}
    )
    PanelQuota.objects.filter(deliberation=deliberation).delete()
    PanelQuota.objects.bulk_create(
        [
            PanelQuota(deliberation=deliberation, feature=f, value=v, min=lo, max=hi)
            for (f, v), (lo, hi) in quotas.items()
        ]
    )


def set_margins(deliberation, shares: dict[str, dict[str, float]]):
    for feature, values in shares.items():
        for value, share in values.items():
            PopulationMargin.objects.create(
                deliberation=deliberation, feature=feature, value=value, share=share
            )


BALANCED_QUOTAS = {
    ("region", "도심권"): (4, 6),
    ("region", "동북권"): (4, 6),
    ("gender", "남성"): (4, 6),
    ("gender", "여성"): (4, 6),
}
BALANCED_POOL = {
    ("도심권", "남성"): 8,
    ("도심권", "여성"): 12,
    ("동북권", "남성"): 15,
    ("동북권", "여성"): 5,
}
