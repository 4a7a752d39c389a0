"""Prior opinion on the question as a selection stratum: what the poll says, per answer.

Reads the poll's answers to the chosen question; the shares are the raked poll's (every
counted response weighted, "no answer" its own category), because the panel should mirror
the city's opinion, not the opinion of those who volunteered.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from deliberation.core.models import Deliberation
from panels.margins import PollShare
from surveys.models import Answer, OpinionStratum, Question, Response, VolunteerOptIn, Wave
from surveys.volunteers import POLL_ID_PREFIX
from surveys.weighting import weighted_proportions

FEATURE = OpinionStratum.FEATURE
NO_ANSWER = OpinionStratum.NO_ANSWER
KINDS = (Question.Kind.SINGLE, Question.Kind.LIKERT)


def candidate_questions(deliberation: Deliberation) -> list[tuple[Wave, Question]]:
    """Single-choice and agree-disagree questions of the deliberation's poll waves."""
    waves = Wave.objects.filter(deliberation=deliberation, kind=Wave.Kind.POLL).order_by("pk")
    pairs = []
    for wave in waves.select_related("questionnaire"):
        for question in wave.questionnaire.questions.filter(kind__in=KINDS).order_by("order"):
            pairs.append((wave, question))
    return pairs


def default_question(deliberation: Deliberation) -> tuple[Wave, Question] | None:
    """The report's headline question when the poll asks it, else the first agree-disagree one."""
    candidates = candidate_questions(deliberation)
    chosen = deliberation.report_headline_item
    for pair in candidates:
        if chosen and pair[1].code == chosen:
            return pair
    for pair in candidates:
        if pair[1].kind == Question.Kind.LIKERT:
            return pair
    return candidates[0] if candidates else None


def answer_labels(question: Question) -> dict[float, str]:
    """Option code -> the category's name (its Korean label, as regions keep their names)."""
    return {float(o.value): o.label_ko for o in question.options.order_by("order", "value")}


def answers_by_response(wave: Wave, question: Question) -> dict[int, str]:
    """Each counted response's answer as a category; a response without one is "no answer"."""
    labels = answer_labels(question)
    values = dict(
        Answer.objects.filter(
            response__wave=wave, question=question, item=question.code
        ).values_list("response_id", "value_number")
    )
    return {
        pk: labels.get(values.get(pk), NO_ANSWER)
        for pk in Response.objects.filter(wave=wave).counted().values_list("pk", flat=True)
    }


def poll_shares(wave: Wave, question: Question) -> tuple[list[PollShare], bool]:
    """The weighted share of every answer with its margin of error, and whether it is weighted.

    Unweighted (every weight 1) until the poll has been weighted; the page says so.
    """
    answers = answers_by_response(wave, question)
    if not answers:
        return [], False
    ids = list(answers)
    weights_by_id = dict(Response.objects.filter(pk__in=ids).values_list("pk", "weight"))
    weighted = all(weights_by_id.get(pk) is not None for pk in ids)
    weights = np.array([weights_by_id[pk] if weighted else 1.0 for pk in ids], dtype=float)
    labels = np.array([answers[pk] for pk in ids], dtype=object)
    estimates = weighted_proportions(labels, weights)
    volunteers = Counter(
        answers.get(pk, NO_ANSWER)
        for pk in VolunteerOptIn.objects.filter(
            response__wave=wave, withdrawn_at__isnull=True
        ).values_list("response_id", flat=True)
    )
    total = sum(volunteers.values())
    order = [*answer_labels(question).values(), NO_ANSWER]
    shares = [
        PollShare(
            value=value,
            share=estimates[value].estimate,
            margin_of_error=estimates[value].margin_of_error,
            respondents=estimates[value].n,
            volunteers_share=(volunteers[value] / total) if total else None,
        )
        for value in order
        if value in estimates
    ]
    return shares, weighted


def volunteer_opinions(wave: Wave, question: Question) -> dict[str, str]:
    """Poll volunteers' answers by the external id they have in the pool."""
    answers = answers_by_response(wave, question)
    return {
        f"{POLL_ID_PREFIX}{respondent_id}": answers.get(pk, NO_ANSWER)
        for pk, respondent_id in VolunteerOptIn.objects.filter(response__wave=wave).values_list(
            "response_id", "response__respondent_id"
        )
    }
