"""Readers of the surveys app: what fieldwork pages and actions need, in few queries."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panels import selectors as panel_selectors
from panels.models import Panelist, PopulationMargin
from panels.strata import DEFAULT_AGE_BANDS, AgeBand, parse_age_bands
from surveys.models import FieldworkQuota, Invitation, Response, Wave
from surveys.tokens import hash_token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation with its wave, questionnaire, panelist and response, in one query.

    Every respondent request starts here; get() on the unique hash spares the ORDER BY
    that first() would add, whose compilation costs more than the query itself.
    """
    if not token or len(token) > 100:
        return None
    try:
        return Invitation.objects.select_related("wave__questionnaire", "panelist", "response").get(
            token_hash=hash_token(token)
        )
    except Invitation.DoesNotExist:
        return None


def response_of(invitation: Invitation) -> Response | None:
    """The invitation's response, read with the invitation (no further query).

    A panelist's answer to a panel wave may exist without this invitation (imported, or
    stored before panel invitations existed): it is still theirs, and only one can exist.
    """
    try:
        response = invitation.response
    except Response.DoesNotExist:
        if invitation.panelist_id is None:
            return None
        response = Response.objects.filter(
            wave_id=invitation.wave_id, panelist_id=invitation.panelist_id
        ).first()
        if response is None:
            return None
    response.wave = invitation.wave
    return response


def fieldwork_is_open(wave: Wave) -> bool:
    now = timezone.now()
    if not wave.is_open:
        return False
    if wave.opens_at and now < wave.opens_at:
        return False
    return not (wave.closes_at and now > wave.closes_at)


def region_mapping(wave: Wave) -> dict[str, str]:
    """District -> region name, from the deliberation's regions (panels.Region)."""
    return dict(panel_selectors.district_regions(wave.deliberation_id))


def regions_for(wave: Wave) -> list[str]:
    """The regions a respondent may be in: the deliberation's, else the region margins'."""
    names = panel_selectors.region_names(wave.deliberation_id)
    if names:
        return names
    return list(
        PopulationMargin.objects.filter(deliberation_id=wave.deliberation_id, feature="region")
        .order_by("value")
        .values_list("value", flat=True)
    )


def margin_values(wave: Wave, feature: str) -> list[str]:
    """The categories of one feature in the deliberation's population margins."""
    return list(
        PopulationMargin.objects.filter(deliberation_id=wave.deliberation_id, feature=feature)
        .order_by("value")
        .values_list("value", flat=True)
    )


def age_bands_for(wave: Wave) -> list[AgeBand]:
    # Ordered within the deliberation: the models' default ordering would join it.
    labels = list(
        PopulationMargin.objects.filter(deliberation_id=wave.deliberation_id, feature="age_band")
        .order_by("value")
        .values_list("value", flat=True)
    )
    return parse_age_bands(labels or DEFAULT_AGE_BANDS)


def reference_year(wave: Wave) -> int:
    if wave.reference_year:
        return wave.reference_year
    return (wave.opens_at or timezone.now()).year


def wave_panelists(wave: Wave) -> QuerySet[Panelist]:
    """Who a panel wave asks: the deliberation's active panel."""
    return Panelist.objects.active().filter(deliberation_id=wave.deliberation_id)


def quota_is_reached(quota: FieldworkQuota) -> bool:
    """Whether any response of the wave, whatever its status, falls in the quota's cell."""
    responses = Response.objects.filter(wave_id=quota.wave_id)
    condition = quota.completes_filter()
    return (responses.filter(condition) if condition else responses).exists()


class PanelWaveState(enum.StrEnum):
    """Where a panel wave stands for one panelist."""

    OPEN = "open"
    COMPLETED = "completed"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(PANEL_WAVE_STATE_LABELS[self])


PANEL_WAVE_STATE_LABELS = {
    PanelWaveState.OPEN: _("Open"),
    PanelWaveState.COMPLETED: _("Completed"),
    PanelWaveState.NOT_YET_OPEN: _("Not yet open"),
    PanelWaveState.CLOSED: _("Closed"),
}


@dataclass(frozen=True)
class PanelWaveForPanelist:
    wave: Wave
    state: PanelWaveState


def panel_wave_state(wave: Wave, *, completed: bool, now: datetime.datetime) -> PanelWaveState:
    """Submitted wins; before its opening it is not yet open; then open until it closes.

    A wave the organizers have not opened (or have closed) is closed once its opening
    date, if any, has passed.
    """
    if completed:
        return PanelWaveState.COMPLETED
    if wave.opens_at and now < wave.opens_at:
        return PanelWaveState.NOT_YET_OPEN
    if wave.is_open and not (wave.closes_at and now > wave.closes_at):
        return PanelWaveState.OPEN
    return PanelWaveState.CLOSED


def panel_waves_of(user: Any) -> list[PanelWaveForPanelist]:
    """The panel waves of the deliberations where the user holds an active seat, each with
    its state for them, in one query however many waves and deliberations."""
    seats = Panelist.objects.active().filter(user=user)
    completed = Response.objects.filter(
        wave=OuterRef("pk"), panelist__user=user, status=Response.Status.COMPLETE
    )
    waves = (
        Wave.objects.filter(deliberation__in=seats.values("deliberation_id"))
        .exclude(kind=Wave.Kind.POLL)
        .select_related("deliberation")
        .annotate(completed=Exists(completed))
        .order_by("deliberation__title", F("opens_at").asc(nulls_last=True), "label")
    )
    now = timezone.now()
    return [
        PanelWaveForPanelist(wave, panel_wave_state(wave, completed=wave.completed, now=now))
        for wave in waves
    ]
