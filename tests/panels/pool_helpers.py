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


SIX_FEATURES = {
    "region": {"도심권": 0.05, "동북권": 0.32, "서북권": 0.12, "서남권": 0.31, "동남권": 0.20},
    "gender": {"남성": 0.49, "여성": 0.51},
    "age_band": {"18-29": 0.19, "30-39": 0.17, "40-49": 0.18, "50-59": 0.18, "60+": 0.28},
    "tenure": {"owner": 0.43, "renter": 0.45, "other": 0.12},
    "education": {"primary": 0.10, "secondary": 0.38, "college": 0.42, "graduate": 0.10},
    "opinion": {"support": 0.35, "oppose": 0.30, "undecided": 0.35},
}


def add_slow_pool(deliberation, n: int = 2000, *, panel: int = 300, seed: int = 1) -> None:
    """A pool over six features whose LEXIMIN and lottery take seconds, not milliseconds.

    For tests that must catch a computation while it runs (a worker killed mid-run).
    """
    import numpy as np

    from panels.selection import quotas_from_shares

    rng = np.random.default_rng(seed)
    columns = {
        f: rng.choice(list(shares), size=n, p=list(shares.values()))
        for f, shares in SIX_FEATURES.items()
    }
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                deliberation=deliberation,
                external_id=f"S{i:06d}",
                record_id=f"S-{i:06d}",
                source=Volunteer.Source.IMPORT,
                features={f: str(columns[f][i]) for f in SIX_FEATURES},
            )
            for i in range(n)
        ]
    )
    PanelPlan.objects.update_or_create(
        deliberation=deliberation, defaults={"panel_size": panel, "lottery_size": 1000}
    )
    PanelQuota.objects.filter(deliberation=deliberation).delete()
    PanelQuota.objects.bulk_create(
        [
            PanelQuota(
                deliberation=deliberation, feature=q.feature, value=q.value, min=q.min, max=q.max
            )
            for q in quotas_from_shares(SIX_FEATURES, panel, tolerance=0.05)
        ]
    )
