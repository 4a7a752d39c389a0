"""The demo panel waves: before, between and after deliberation, on the poll's core items.

The 300 synthetic panelists answer twelve of the poll's questions three times. Their
answers are synthetic and follow a planned pattern: support for a new resource recovery
facility and knowledge rise over the process, and a few answers are skipped. Who answers
each wave follows the demo's drop-outs (panels.demo.takes_part): some of the panel, more
of the young, have left by each wave, and a few miss one.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
from django.db import transaction
from django.utils import timezone

from deliberation.core.models import Deliberation
from panels.demo import takes_part
from panels.models import Panelist
from surveys import actions
from surveys.demo import AGE_BANDS, QUESTIONS, _likert
from surveys.models import Answer, Option, Question, Questionnaire, Response, Wave
from surveys.questionnaires import LIKERT_LABELS, item_index, questions_of, specs_of

CORE_CODES = ["Q3", "Q7", "Q8", "Q9", "Q10", "Q11", "Q12", "Q14", "Q16", "Q17", "Q20", "Q30"]
# Items whose answers move with support for the facility, and by how much per wave.
FACILITY_ITEMS = {"Q10_d", "Q12", "Q14", "Q30"}
SUPPORT_SHIFT = (0.0, 0.15, 0.35)
KNOWLEDGE_SHIFT = (0.0, 0.6, 1.1)
SITE_SHARES = (  # Q11: extend an existing site, new site, another city, don't know
    (0.32, 0.22, 0.2, 0.26),
    (0.42, 0.24, 0.16, 0.18),
    (0.52, 0.25, 0.12, 0.11),
)
SKIP_RATE = 0.03

WAVES = (
    (
        "pre",
        Wave.Kind.PRE,
        "시민참여단 1차 조사 (숙의 전)",
        ("2021-09-13 09:00", "2021-09-24 18:00"),
    ),
    (
        "mid",
        Wave.Kind.MID,
        "시민참여단 2차 조사 (권역별 토론 후)",
        ("2021-10-10 09:00", "2021-10-20 18:00"),
    ),
    (
        "post",
        Wave.Kind.POST,
        "시민참여단 3차 조사 (시민대토론회 후)",
        ("2021-10-30 18:00", "2021-11-07 18:00"),
    ),
)


# The panel's evaluation of the process, asked in the post wave only (codes E1..E4, 1-5).
EVALUATION = (
    ("E1", "공론화 과정은 공정하게 진행되었다.", "The deliberation process was fair."),
    ("E2", "제공된 자료는 균형 잡혀 있었다.", "The materials were balanced."),
    ("E3", "퍼실리테이터는 토론을 잘 진행하였다.", "The facilitators ran the discussions well."),
    (
        "E4",
        "결과가 내 의견과 다르더라도 받아들이겠다.",
        "I would accept the result even if it went against my view.",
    ),
)
# Synthetic and mostly positive: mean score on the latent scale per item.
EVALUATION_MEAN = {"E1": 0.9, "E2": 0.7, "E3": 1.0, "E4": 0.5}


def _at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def seed_questionnaire(poll: Wave) -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        deliberation=poll.deliberation,
        title="시민참여단 설문 (핵심 문항)",
        version=1,
        defaults={
            "title_en": "Citizen panel survey (core items)",
            "intro_ko": "여론조사와 같은 핵심 문항을 숙의 전, 중간, 후에 다시 묻습니다.",
            "intro_en": "The poll's core questions, asked again before, during and after "
            "deliberation.",
        },
    )
    if not questionnaire.questions.exists():
        actions.do_copy_questions(poll.questionnaire, questionnaire, CORE_CODES)
    return questionnaire


def seed_post_questionnaire(poll: Wave) -> Questionnaire:
    """The post wave's questionnaire: the core items again, then the process evaluation."""
    questionnaire, _ = Questionnaire.objects.get_or_create(
        deliberation=poll.deliberation,
        title="시민참여단 설문 (핵심 문항 + 과정 평가)",
        version=1,
        defaults={
            "title_en": "Citizen panel survey (core items and process evaluation)",
            "intro_ko": "핵심 문항을 다시 묻고, 공론화 과정에 대한 평가를 묻습니다.",
            "intro_en": "The core questions once more, and your evaluation of the process.",
        },
    )
    if questionnaire.questions.exists():
        return questionnaire
    actions.do_copy_questions(poll.questionnaire, questionnaire, CORE_CODES)
    last = questionnaire.questions.count()
    for order, (code, ko, en) in enumerate(EVALUATION, start=last + 1):
        question = Question.objects.create(
            questionnaire=questionnaire,
            order=order,
            code=code,
            kind=Question.Kind.LIKERT,
            text_ko=ko,
            text_en=en,
        )
        Option.objects.bulk_create(
            Option(question=question, order=i, value=i + 1, label_ko=ko_l, label_en=en_l)
            for i, (ko_l, en_l) in enumerate(LIKERT_LABELS[5])
        )
    return questionnaire


def seed_waves(
    deliberation: Deliberation, questionnaire: Questionnaire, post: Questionnaire | None = None
) -> list[Wave]:
    waves = []
    for label, kind, title, (opens, closes) in WAVES:
        wave, _ = Wave.objects.update_or_create(
            deliberation=deliberation,
            label=label,
            defaults={
                "questionnaire": post if post and kind == Wave.Kind.POST else questionnaire,
                "kind": kind,
                "title": title,
                "opens_at": _at(opens),
                "closes_at": _at(closes),
                "is_open": False,
                "purpose": "숙의 과정에서 시민참여단의 의견 변화를 알아보기 위한 조사입니다.",
                "purpose_en": "How the panel's views change during the deliberation.",
            },
        )
        waves.append(wave)
    return waves


def _answers(
    rng: np.random.Generator,
    wave: int,
    attitude: float,
    knowledge: float,
    person_noise: dict[str, float],
) -> dict[str, float]:
    """One panelist's answers in one wave; person_noise keeps answers close across waves."""
    rules = {code: (kind, extra) for code, kind, _ko, _en, extra in QUESTIONS}
    values: dict[str, float] = {}
    for code in CORE_CODES:
        kind, extra = rules[code]
        push = extra.get("push", 0)

        def score(item: str, shift: float = 0.0, push: int = push) -> float:
            support = SUPPORT_SHIFT[wave] if item in FACILITY_ITEMS else 0.0
            base = push * attitude + support + shift + person_noise.get(item, 0.0)
            return base + rng.normal(0, 0.6)

        if kind == "likert":
            values[code] = _likert(score(code), extra["points"])
        elif kind == "scale10":
            values[code] = float(min(10, max(0, round(5 + 2 * score(code)))))
        elif kind == "grid":
            for i, (row, _k, _e) in enumerate(extra["rows"]):
                item = f"{code}_{row}"
                values[item] = _likert(score(item, (i - 1.5) * 0.3), extra["points"])
        elif kind == "knowledge":
            p_correct = 1 / (1 + math.exp(-(0.3 + knowledge + KNOWLEDGE_SHIFT[wave])))
            if rng.random() < p_correct:
                values[code] = float(extra["correct"])
            else:
                wrong = [o[0] for o in extra["options"] if o[0] != extra["correct"]]
                values[code] = float(rng.choice(wrong))
        elif kind == "single":
            options = [o[0] for o in extra["options"]]
            values[code] = float(rng.choice(options, p=SITE_SHARES[wave]))
        elif code == "Q20":
            mean = 3 + 2 * max(0.0, -attitude) + 0.3 * wave
            values[code] = float(min(100000, 1000 * rng.poisson(mean)))
    return {item: v for item, v in values.items() if rng.random() >= SKIP_RATE}


def _person_noise(rng: np.random.Generator) -> dict[str, float]:
    items = ["Q3", "Q12", "Q14", "Q16", "Q17", "Q30"] + [f"Q10_{r}" for r in "abcd"]
    return {item: float(rng.normal(0, 0.6)) for item in items}


def _evaluation(rng: np.random.Generator) -> dict[str, float]:
    """One panelist's synthetic, mostly positive evaluation of the process."""
    return {
        code: _likert(EVALUATION_MEAN[code] + rng.normal(0, 0.9), 5)
        for code, _ko, _en in EVALUATION
        if rng.random() >= SKIP_RATE
    }


def seed_answers(waves: list[Wave]) -> None:
    """Three waves of synthetic answers from the demo panel, in two bulk inserts per wave."""
    if Response.objects.filter(wave__in=waves).exists():
        return
    deliberation = waves[0].deliberation
    panelists = list(
        Panelist.objects.active().filter(deliberation=deliberation).order_by("draw_position", "pk")
    )
    rng = np.random.default_rng(20211107)
    # A separate stream for the evaluation keeps the core answers as they were.
    evaluation_rng = np.random.default_rng(20211108)
    indexes = {}
    for wave in waves:
        questions = questions_of(wave.questionnaire)
        indexes[wave.pk] = item_index(questions, specs_of(questions))
    people = []
    for panelist in panelists:
        age_index = AGE_BANDS.index(panelist.age_band) if panelist.age_band in AGE_BANDS else 2
        attitude = (
            0.45 * (age_index - 2)
            + (0.35 if panelist.gender == "여성" else -0.2)
            + rng.normal(0, 0.7)
        )
        knowledge = 0.3 * (2 - abs(age_index - 2)) + rng.normal(0, 0.5)
        people.append((panelist, attitude, knowledge, _person_noise(rng)))
    for k, wave in enumerate(waves):
        opens, closes = wave.opens_at, wave.closes_at
        span = int((closes - opens).total_seconds() // 60)
        responses, answers = [], []
        for panelist, attitude, knowledge, noise in people:
            if not takes_part(panelist.pseudonym, panelist.age_band, wave.label):
                continue
            submitted = opens + datetime.timedelta(minutes=int(rng.integers(0, span)))
            responses.append(
                Response(
                    wave=wave,
                    respondent_id=panelist.pseudonym,
                    panelist=panelist,
                    status=Response.Status.COMPLETE,
                    region=panelist.region,
                    gender=panelist.gender,
                    age_band=panelist.age_band,
                    consented_at=submitted,
                    sensitive_consented_at=submitted,
                    submitted_at=submitted,
                    duration_seconds=int(rng.lognormal(math.log(300), 0.3)),
                )
            )
            values = _answers(rng, k, attitude, knowledge, noise)
            if "E1" in indexes[wave.pk]:
                values.update(_evaluation(evaluation_rng))
            answers.append(values)
        Response.objects.bulk_create(responses, batch_size=1000)
        ids = dict(Response.objects.filter(wave=wave).values_list("respondent_id", "pk"))
        Answer.objects.bulk_create(
            [
                row
                for response, values in zip(responses, answers, strict=True)
                for row in actions.answer_rows(
                    ids[response.respondent_id], indexes[wave.pk], values
                )
            ],
            batch_size=5000,
        )


@transaction.atomic
def seed_panel_waves(poll: Wave) -> list[Wave]:
    """Pre, mid and post panel waves on the poll's core items, answered by the demo panel."""
    questionnaire = seed_questionnaire(poll)
    waves = seed_waves(poll.deliberation, questionnaire, seed_post_questionnaire(poll))
    seed_answers(waves)
    return waves
