"""Choosing the poll question whose answer the panel is drawn by, and its targets."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from deliberation.core import audit
from deliberation.core.models import Deliberation
from panels import actions as panel_actions
from surveys import opinion
from surveys.models import OpinionStratum, Question, Wave


def do_choose_opinion_stratum(
    deliberation: Deliberation, wave: Wave, question: Question, *, actor: Any
) -> OpinionStratum:
    """Make the answer to ``question`` a selection feature with the weighted poll's targets.

    Choosing again (after the poll was weighted anew) recomputes the targets.
    """
    if wave.deliberation_id != deliberation.pk or wave.kind != Wave.Kind.POLL:
        raise ValueError("the wave is not this deliberation's poll")
    if question.questionnaire_id != wave.questionnaire_id or question.kind not in opinion.KINDS:
        raise ValueError("the question is not a single-choice question of the poll")
    shares, weighted = opinion.poll_shares(wave, question)
    with transaction.atomic():
        stratum, _created = OpinionStratum.objects.update_or_create(
            deliberation=deliberation, defaults={"wave": wave, "question": question}
        )
        panel_actions.do_replace_poll_targets(
            deliberation,
            opinion.FEATURE,
            shares,
            volunteer_values=opinion.volunteer_opinions(wave, question),
            default=opinion.NO_ANSWER,
            actor=actor,
        )
        audit.record(
            "opinion_stratum.chosen",
            actor=actor,
            deliberation=deliberation,
            obj=stratum,
            label=question.code,
            extra={"wave": wave.label, "question": question.code, "weighted": weighted},
        )
    return stratum


def do_drop_opinion_stratum(deliberation: Deliberation, *, actor: Any) -> None:
    """The panel is no longer drawn by opinion: the targets go, quotas already saved stay."""
    with transaction.atomic():
        OpinionStratum.objects.filter(deliberation=deliberation).delete()
        audit.record("opinion_stratum.dropped", actor=actor, deliberation=deliberation)
        panel_actions.do_replace_poll_targets(
            deliberation,
            opinion.FEATURE,
            [],
            volunteer_values={},
            default=opinion.NO_ANSWER,
            actor=actor,
        )
