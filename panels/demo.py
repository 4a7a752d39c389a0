"""Demo population margins (approximate Seoul adults, 2021) and panel seats.

The shares are rounded approximations of the resident-registration statistics; the
pages that show them say so. All panelists are synthetic.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from deliberation.models import Deliberation
from panels.models import Panelist, PopulationMargin

APPROXIMATE_SEOUL_MARGINS: dict[str, dict[str, float]] = {
    "region": {"도심권": 0.05, "동북권": 0.315, "서북권": 0.12, "서남권": 0.317, "동남권": 0.198},
    "gender": {"남성": 0.485, "여성": 0.515},
    "age_band": {"18-29": 0.18, "30-39": 0.17, "40-49": 0.165, "50-59": 0.17, "60+": 0.315},
}


def seed_margins(deliberation: Deliberation) -> None:
    for feature, shares in APPROXIMATE_SEOUL_MARGINS.items():
        for value, share in shares.items():
            PopulationMargin.objects.update_or_create(
                deliberation=deliberation,
                feature=feature,
                value=value,
                defaults={"share": Decimal(str(share))},
            )


def seed_panel_seats(deliberation: Deliberation, panelist_users: list) -> None:
    """Give each demo panelist account a seat with demographics drawn from the margins."""
    if deliberation.panelists.exists():
        return
    rng = np.random.default_rng(2021)
    draws = {
        feature: rng.choice(list(shares), size=len(panelist_users), p=list(shares.values()))
        for feature, shares in APPROXIMATE_SEOUL_MARGINS.items()
    }
    Panelist.objects.bulk_create(
        [
            Panelist(
                deliberation=deliberation,
                user=user,
                pseudonym=f"P{i:04d}",
                region=str(draws["region"][i - 1]),
                gender=str(draws["gender"][i - 1]),
                age_band=str(draws["age_band"][i - 1]),
                status=Panelist.Status.CONFIRMED,
            )
            for i, user in enumerate(panelist_users, start=1)
        ]
    )
