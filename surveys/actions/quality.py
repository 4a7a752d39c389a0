"""Open-link limits, data-quality flags and the organizer's exclusion of responses.

The flags themselves are computed by the plain surveys.quality; here they are stored on
the responses, at submit for the response itself and for the whole wave on request.
An exclusion takes responses out of every count (Response.objects.counted()) and is
recorded on each response: who, when and why.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.core import audit
from surveys import items, quality
from surveys.actions.weighting import WeightingRefused, do_weight_wave
from surveys.models import Answer, Invitation, Response, Wave
from surveys.tokens import hash_token, new_token

logger = logging.getLogger(__name__)

OPEN_LINK_WINDOW = datetime.timedelta(hours=1)


class OpenLinkRefused(Exception):
    """This address or browser has reached the open link's limit; nothing was created."""


class ExclusionRefused(Exception):
    """The exclusion is not valid as asked; the message says why and nothing changed."""


def hash_address(wave: Wave, address: str) -> str:
    """The address as stored: keyed with SECRET_KEY and scoped to the wave."""
    if not address:
        return ""
    return quality.address_hash(address, settings.SECRET_KEY, f"wave:{wave.pk}")


def per_address_limit(wave: Wave) -> int:
    if wave.open_link_per_address is not None:
        return wave.open_link_per_address
    return settings.OPEN_LINK_PER_ADDRESS


def per_browser_limit(wave: Wave) -> int:
    if wave.open_link_per_browser is not None:
        return wave.open_link_per_browser
    return settings.OPEN_LINK_PER_BROWSER


def grid_items_of(specs: Iterable[items.QuestionSpec]) -> dict[str, list[str]]:
    return {spec.code: spec.item_codes() for spec in specs if spec.kind == items.GRID}


def flags_at_submit(
    response: Response, values: dict[str, items.Value], specs: Iterable[items.QuestionSpec]
) -> list[str]:
    """The flags of a response being completed (its row locked by the caller).

    Earlier completes from the same address are flagged too once the address reaches the
    threshold; the speeder rule uses the wave's completes so far, and the whole wave is
    recomputed with the final median by do_refresh_quality_flags.
    """
    wave = response.wave
    completes = Response.objects.filter(wave_id=wave.pk, status=Response.Status.COMPLETE)
    durations: list[float | None] = []
    if wave.min_duration_seconds is None:
        durations = list(
            completes.filter(duration_seconds__isnull=False).values_list(
                "duration_seconds", flat=True
            )
        )
    threshold = quality.speed_threshold(durations, wave.min_duration_seconds)
    raised = []
    if response.address_hash:
        same = list(
            completes.filter(address_hash=response.address_hash)
            .exclude(pk=response.pk)
            .only("pk", "quality_flags")
        )
        if len(same) + 1 >= settings.QUALITY_ADDRESS_THRESHOLD:
            raised.append(quality.ADDRESS)
            flagged = []
            for other in same:
                if quality.ADDRESS not in other.quality_flags:
                    other.quality_flags = _ordered([*other.quality_flags, quality.ADDRESS])
                    flagged.append(other)
            Response.objects.bulk_update(flagged, ["quality_flags"])
    duration = response.duration_seconds
    if threshold is not None and duration is not None and duration < threshold:
        raised.append(quality.SPEEDER)
    if quality.straightlined(quality.grid_answers(grid_items_of(specs), values)):
        raised.append(quality.STRAIGHTLINING)
    return raised


def _ordered(flags: Iterable[str]) -> list[str]:
    present = set(flags)
    return [flag for flag in quality.FLAGS if flag in present]


def do_refresh_quality_flags(
    wave: Wave, specs: Iterable[items.QuestionSpec], *, actor: Any = None
) -> int:
    """Recompute every complete's flags from the whole wave; the number flagged."""
    grid_items = grid_items_of(specs)
    grid_codes = [code for codes in grid_items.values() for code in codes]
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        responses = list(
            Response.objects.filter(wave=wave, status=Response.Status.COMPLETE)
            .order_by("pk")
            .only("pk", "duration_seconds", "address_hash", "quality_flags")
        )
        values: dict[int, dict[str, float]] = {r.pk: {} for r in responses}
        if grid_codes:
            for response_id, item, number in Answer.objects.filter(
                response__wave=wave,
                response__status=Response.Status.COMPLETE,
                item__in=grid_codes,
                value_number__isnull=False,
            ).values_list("response_id", "item", "value_number"):
                if number is not None:
                    values[response_id][item] = number
        computed = quality.flags(
            durations=[r.duration_seconds for r in responses],
            address_hashes=[r.address_hash for r in responses],
            grids=[quality.grid_answers(grid_items, values[r.pk]) for r in responses],
            minimum_seconds=wave.min_duration_seconds,
            address_threshold=settings.QUALITY_ADDRESS_THRESHOLD,
        )
        changed = []
        for response, flags in zip(responses, computed, strict=True):
            if response.quality_flags != flags:
                response.quality_flags = flags
                changed.append(response)
        Response.objects.bulk_update(changed, ["quality_flags"], batch_size=2000)
        flagged = sum(1 for flags in computed if flags)
        audit.record(
            "quality_flags.refreshed",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra={"flagged": flagged, "changed": len(changed)},
        )
    return flagged


def do_exclude_responses(
    wave: Wave,
    *,
    reason: str,
    actor: Any,
    response_ids: Iterable[int] = (),
    flag: str = "",
) -> int:
    """Exclude the given responses, or every counted one with the flag, from weighting,
    results and the report; the wave is weighted again if it had been. The number
    excluded."""
    reason = reason.strip()
    if not reason:
        raise ExclusionRefused(_("Say why the responses are excluded."))
    if flag and flag not in quality.FLAGS:
        raise ExclusionRefused(_("There is no such quality flag."))
    ids = set(response_ids)
    if not flag and not ids:
        raise ExclusionRefused(_("Choose the responses to exclude."))
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        candidates = Response.objects.filter(wave=wave).counted()
        if not flag:
            candidates = candidates.filter(pk__in=ids)
        chosen = [
            pk
            for pk, flags in candidates.values_list("pk", "quality_flags")
            if not flag or flag in (flags or [])
        ]
        if ids and len(chosen) != len(ids) and not flag:
            raise ExclusionRefused(
                _("Some of the chosen responses are not counted responses of this wave.")
            )
        if not chosen:
            raise ExclusionRefused(_("No counted response has this flag."))
        Response.objects.filter(pk__in=chosen).update(
            excluded_at=timezone.now(),
            excluded_by=actor if getattr(actor, "pk", None) else None,
            exclusion_reason=reason[:300],
            weight=None,
        )
        audit.record(
            "responses.excluded",
            actor=actor,
            deliberation=wave.deliberation_id,
            obj=wave,
            label=wave.title,
            extra={"count": len(chosen), "reason": reason[:300], "flag": flag, "responses": chosen},
        )
        last_run = wave.weighting_runs.first()
        if last_run is not None:
            try:
                do_weight_wave(wave, cap=last_run.cap, actor=actor)
            except WeightingRefused:
                # Nothing left to weight as before: results fall back to unweighted.
                Response.objects.filter(wave=wave).update(weight=None)
    return len(chosen)


def do_open_link_invitation(wave: Wave, *, address_hash: str = "") -> str:
    """A fresh one-time link for a visitor of the open link, within the address limit.

    The wave row is locked while counting, so simultaneous visits from one address cannot
    all pass the count together.
    """
    token = new_token()
    with transaction.atomic():
        if address_hash:
            Wave.objects.select_for_update().get(pk=wave.pk)
            recent = Invitation.objects.filter(
                wave=wave,
                source=Invitation.Source.OPEN,
                address_hash=address_hash,
                created_at__gte=timezone.now() - OPEN_LINK_WINDOW,
            ).count()
            if recent >= per_address_limit(wave):
                raise OpenLinkRefused("address")
        Invitation.objects.create(
            wave=wave,
            token_hash=hash_token(token),
            source=Invitation.Source.OPEN,
            address_hash=address_hash,
        )
    return token
