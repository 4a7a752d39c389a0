"""The demo poll: Seoul 2021, household waste, 5,000 synthetic respondents.

Every respondent and answer here is synthetic. The sample is deliberately skewed — too
many older women, very few young men in 도심권 — so that weighting visibly matters. About a
third volunteer for the panel (Shin-Kori 2017: 5,981 of 20,006), and the volunteer pool is
made of them only, each with their own answer to the opinion question.
"""

from __future__ import annotations

import math
import random

import numpy as np
from django.db import transaction
from django.utils import timezone

from deliberation.core.models import Deliberation
from panels import demo as panels_demo
from panels.selectors import allowed_values
from surveys import actions, consent
from surveys.actions.opinion import do_choose_opinion_stratum
from surveys.models import (
    ContactDetails,
    FieldworkQuota,
    GridItem,
    OpinionStratum,
    Option,
    Question,
    Questionnaire,
    Response,
    VolunteerOptIn,
    Wave,
)
from surveys.questionnaires import LIKERT_LABELS, item_index, questions_of, specs_of

RESPONDENTS = 5000
VOLUNTEER_SHARE = 0.36
# Relative willingness to volunteer by age band: the young somewhat less.
VOLUNTEER_BY_AGE = (0.85, 0.9, 1.0, 1.1, 1.05)
REFERENCE_YEAR = 2021
WAVE_LABEL = "poll"
OPEN_LINK_TOKEN = "seoul-2021-poll-demo"

AGE_BANDS = ["18-29", "30-39", "40-49", "50-59", "60+"]
AGE_RANGES = {
    "18-29": (18, 29),
    "30-39": (30, 39),
    "40-49": (40, 49),
    "50-59": (50, 59),
    "60+": (60, 85),
}
# The skew of the synthetic sample (population margins are in panels/demo.py).
SAMPLE_REGION = {"도심권": 0.06, "동북권": 0.34, "서북권": 0.12, "서남권": 0.28, "동남권": 0.20}
SAMPLE_FEMALE = 0.6
SAMPLE_AGE = [0.11, 0.13, 0.17, 0.22, 0.37]

YES_NO_DK = [(1, "맞다", "True"), (2, "틀리다", "False"), (9, "모르겠다", "Don't know")]

# (code, kind, Korean, English, extra); extra holds options, rows, ranges, rules and the
# direction in which the synthetic attitude pushes the answer (+1, -1 or 0).
QUESTIONS: list[tuple[str, str, str, str, dict]] = [
    (
        "Q1",
        "single",
        "현재 거주하시는 주택 유형은 무엇입니까?",
        "What type of housing do you live in?",
        {
            "options": [
                (1, "아파트", "Apartment"),
                (2, "단독·다가구", "Detached house"),
                (3, "연립·다세대", "Row house / multi-family"),
                (4, "기타", "Other"),
            ],
            "push": 0,
        },
    ),
    (
        "Q2",
        "numeric",
        "함께 사는 가구원은 본인을 포함해 몇 명입니까?",
        "How many people live in your household, including you?",
        {"min": 1, "max": 15},
    ),
    (
        "Q3",
        "likert",
        "서울의 생활폐기물 문제는 심각하다.",
        "Household waste is a serious problem in Seoul.",
        {"points": 5, "push": 1},
    ),
    (
        "Q4",
        "scale10",
        "생활폐기물 정책에 얼마나 관심이 있습니까?",
        "How interested are you in household waste policy?",
        {"low": ("전혀 관심 없음", "Not at all"), "high": ("매우 관심 있음", "Very"), "push": 1},
    ),
    (
        "Q5",
        "multiple",
        "평소 분리배출하는 품목을 최대 3개까지 고르십시오.",
        "Which items do you usually separate? Choose up to 3.",
        {
            "options": [
                (1, "종이", "Paper"),
                (2, "플라스틱", "Plastic"),
                (3, "유리병", "Glass"),
                (4, "캔", "Cans"),
                (5, "스티로폼", "Styrofoam"),
                (6, "음식물", "Food waste"),
            ],
            "max": 3,
            "push": 1,
        },
    ),
    (
        "Q6",
        "single",
        "분리배출을 얼마나 자주 하십니까?",
        "How often do you separate your waste?",
        {
            "options": [
                (1, "항상", "Always"),
                (2, "대체로", "Mostly"),
                (3, "가끔", "Sometimes"),
                (4, "거의 안 함", "Hardly ever"),
            ],
            "push": -1,
        },
    ),
    (
        "Q7",
        "knowledge",
        "2026년부터 수도권에서는 생활폐기물을 그대로 땅에 묻는 직매립이 금지된다.",
        "From 2026, burying untreated household waste is banned in the capital region.",
        {"options": YES_NO_DK, "correct": 1},
    ),
    (
        "Q8",
        "knowledge",
        "서울시에는 현재 광역자원회수시설(소각시설)이 4곳 있다.",
        "Seoul currently has four large resource recovery (incineration) facilities.",
        {"options": YES_NO_DK, "correct": 1},
    ),
    (
        "Q9",
        "knowledge",
        "종량제 봉투 가격은 서울의 모든 자치구가 같다.",
        "Volume-based waste bags cost the same in every district of Seoul.",
        {"options": YES_NO_DK, "correct": 2},
    ),
    (
        "Q10",
        "grid",
        "다음 정책에 얼마나 찬성하십니까?",
        "How much do you support the following policies?",
        {
            "points": 5,
            "rows": [
                ("a", "일회용품 사용 규제 강화", "Stricter limits on disposables"),
                ("b", "종량제 봉투 가격 인상", "Higher prices for waste bags"),
                ("c", "재활용 선별시설 확충", "More recycling sorting plants"),
                ("d", "자원회수시설(소각시설) 신규 건설", "A new incineration facility"),
            ],
            "push": 1,
        },
    ),
    (
        "Q11",
        "single",
        "새 자원회수시설은 어디에 짓는 것이 바람직하다고 보십니까?",
        "Where should a new resource recovery facility be built?",
        {
            "options": [
                (1, "기존 시설 부지에 증설", "Extend an existing site"),
                (2, "새로운 부지 선정", "Choose a new site"),
                (3, "다른 지자체에 처리 위탁", "Contract another city"),
                (9, "모르겠다", "Don't know"),
            ],
            "push": 0,
        },
    ),
    (
        "Q12",
        "likert",
        "우리 동네에 자원회수시설이 들어선다면 받아들일 수 있다.",
        "I could accept a resource recovery facility in my neighbourhood.",
        {"points": 5, "push": 1},
    ),
    (
        "Q13",
        "single",
        "받아들이기 어려운 가장 큰 이유는 무엇입니까?",
        "What is the main reason it would be hard to accept?",
        {
            "options": [
                (1, "건강 영향", "Health effects"),
                (2, "집값 하락", "House prices"),
                (3, "악취·교통", "Smell and traffic"),
                (4, "절차에 대한 불신", "Distrust of the process"),
                (5, "기타", "Other"),
            ],
            "show_if": ("Q12", [1, 2]),
            "push": 0,
        },
    ),
    (
        "Q14",
        "scale10",
        "적절한 보상이 있다면 받아들일 가능성은 어느 정도입니까?",
        "With fair compensation, how likely would you be to accept it?",
        {"low": ("전혀 없음", "Not at all"), "high": ("매우 높음", "Very likely"), "push": 1},
    ),
    (
        "Q15",
        "multiple",
        "적절한 보상 형태를 최대 2개까지 고르십시오.",
        "Which forms of compensation are appropriate? Choose up to 2.",
        {
            "options": [
                (1, "주민 편의시설", "Community facilities"),
                (2, "관리비 지원", "Utility support"),
                (3, "일자리", "Jobs"),
                (4, "현금 보상", "Cash"),
                (5, "필요 없다", "None needed"),
            ],
            "max": 2,
            "push": 0,
        },
    ),
    (
        "Q16",
        "likert",
        "시민이 폐기물 정책 결정에 직접 참여해야 한다.",
        "Citizens should take part directly in waste policy decisions.",
        {"points": 5, "push": -1},
    ),
    (
        "Q17",
        "likert",
        "서울시는 폐기물 문제를 잘 해결할 것이라고 믿는다.",
        "I trust the city to handle the waste problem well.",
        {"points": 7, "push": 1},
    ),
    (
        "Q18",
        "likert",
        "폐기물 분야 전문가의 판단을 신뢰한다.",
        "I trust the judgement of waste experts.",
        {"points": 7, "push": 0},
    ),
    (
        "Q19",
        "numeric",
        "일주일에 20리터 종량제 봉투를 몇 개 사용하십니까?",
        "How many 20-litre waste bags does your household use per week?",
        {"min": 0, "max": 50},
    ),
    (
        "Q20",
        "numeric",
        "쓰레기 처리를 위해 한 달에 추가로 낼 수 있는 금액은 얼마입니까? (원)",
        "How much more would you pay per month for waste treatment? (KRW)",
        {"min": 0, "max": 100000},
    ),
    (
        "Q21",
        "single",
        "음식물 쓰레기는 주로 어떻게 배출하십니까?",
        "How do you mostly dispose of food waste?",
        {
            "options": [
                (1, "RFID 종량기", "RFID bins"),
                (2, "전용 봉투", "Special bags"),
                (3, "전용 용기", "Special containers"),
                (9, "모르겠다", "Don't know"),
            ],
            "push": 0,
        },
    ),
    (
        "Q22",
        "grid",
        "다음 정보원을 얼마나 신뢰하십니까?",
        "How much do you trust these sources?",
        {
            "points": 5,
            "rows": [
                ("a", "TV", "TV"),
                ("b", "신문", "Newspapers"),
                ("c", "포털 뉴스", "Portal news"),
                ("d", "유튜브·SNS", "YouTube / social media"),
            ],
            "push": 1,
        },
    ),
    (
        "Q23",
        "single",
        "이번 공론화에 대해 들어 본 적이 있습니까?",
        "Have you heard of this public deliberation?",
        {"options": [(1, "예", "Yes"), (2, "아니오", "No")], "push": -1},
    ),
    (
        "Q24",
        "single",
        "어디에서 들으셨습니까?",
        "Where did you hear of it?",
        {
            "options": [
                (1, "언론 보도", "News"),
                (2, "구청·동 주민센터", "District office"),
                (3, "SNS", "Social media"),
                (4, "지인", "Friends or family"),
            ],
            "show_if": ("Q23", [1]),
            "push": 0,
        },
    ),
    (
        "Q25",
        "short_text",
        "'쓰레기 문제' 하면 떠오르는 단어 하나를 적어 주십시오.",
        "Write one word that comes to mind for 'the waste problem'.",
        {"required": False},
    ),
    (
        "Q26",
        "long_text",
        "서울시에 바라는 점이 있으면 자유롭게 적어 주십시오.",
        "Anything you would like to tell the city?",
        {"required": False},
    ),
    (
        "Q27",
        "single",
        "본인의 정치 성향은 어디에 가깝습니까?",
        "Where would you place yourself politically?",
        {
            "options": [
                (1, "진보", "Progressive"),
                (2, "중도", "Centre"),
                (3, "보수", "Conservative"),
                (9, "응답 거절", "Prefer not to say"),
            ],
            "push": 1,
        },
    ),
    (
        "Q28",
        "single",
        "최종 학력은 무엇입니까?",
        "What is your highest level of education?",
        {
            "options": [
                (1, "중졸 이하", "Middle school or less"),
                (2, "고졸", "High school"),
                (3, "대졸", "University"),
                (4, "대학원 이상", "Graduate school"),
            ],
            "push": -1,
        },
    ),
    (
        "Q29",
        "single",
        "월평균 가구 소득은 어느 정도입니까?",
        "What is your monthly household income?",
        {
            "options": [
                (1, "200만 원 미만", "Under 2 million KRW"),
                (2, "200~400만 원", "2–4 million"),
                (3, "400~600만 원", "4–6 million"),
                (4, "600만 원 이상", "6 million or more"),
                (9, "응답 거절", "Prefer not to say"),
            ],
            "push": 0,
        },
    ),
    (
        "Q30",
        "scale10",
        "서울에 자원회수시설이 더 필요하다고 생각하는 정도는?",
        "How much does Seoul need more resource recovery facilities?",
        {
            "low": ("전혀 필요 없다", "Not at all"),
            "high": ("매우 필요하다", "Very much"),
            "push": 1,
        },
    ),
]

PURPOSE = "서울시 생활폐기물 공론화의 의제에 대한 시민 의견을 알아보기 위한 조사입니다."
PURPOSE_EN = (
    "This poll asks citizens' views on the agenda of Seoul's deliberation on household waste."
)
RETENTION = "공론화 종료 후 6개월까지 보관하며, 이후에는 가명 처리된 통계 자료만 남깁니다."
RETENTION_EN = "Kept until six months after the deliberation; then only pseudonymous data remain."

WORDS = ["악취", "분리수거", "플라스틱", "소각장", "매립지", "재활용", "배달 용기", "환경"]
COMMENTS = [
    "",
    "",
    "",
    "투명하게 결정해 주세요.",
    "재활용 교육을 늘려 주세요.",
    "주민 의견을 들어 주세요.",
]


def seed_questionnaire(deliberation: Deliberation) -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        deliberation=deliberation,
        title="생활폐기물 시민 인식 조사",
        version=1,
        defaults={
            "title_en": "Citizens' views on household waste",
            "intro_ko": "서울시 생활폐기물 공론화의 첫 단계인 여론조사입니다. 약 10분이 걸립니다.",
            "intro_en": "The opinion poll that opens Seoul's deliberation on household waste. "
            "It takes about ten minutes.",
        },
    )
    if questionnaire.questions.exists():
        return questionnaire
    created: dict[str, Question] = {}
    for order, (code, kind, ko, en, extra) in enumerate(QUESTIONS, start=1):
        low = extra.get("low", ("", ""))
        high = extra.get("high", ("", ""))
        question = Question.objects.create(
            questionnaire=questionnaire,
            order=order,
            code=code,
            kind=kind,
            text_ko=ko,
            text_en=en,
            required=extra.get("required", True),
            max_choices=extra.get("max") if kind == "multiple" else None,
            min_value=extra.get("min"),
            max_value=extra.get("max") if kind == "numeric" else None,
            low_label_ko=low[0],
            low_label_en=low[1],
            high_label_ko=high[0],
            high_label_en=high[1],
            show_if_question=created[extra["show_if"][0]] if "show_if" in extra else None,
            show_if_values=extra["show_if"][1] if "show_if" in extra else [],
        )
        created[code] = question
        options = extra.get("options")
        if options is None and "points" in extra:
            options = [
                (i, label_ko, label_en)
                for i, (label_ko, label_en) in enumerate(LIKERT_LABELS[extra["points"]], start=1)
            ]
        Option.objects.bulk_create(
            Option(
                question=question,
                order=i,
                value=value,
                label_ko=label_ko,
                label_en=label_en,
                is_correct=value == extra.get("correct"),
            )
            for i, (value, label_ko, label_en) in enumerate(options or [])
        )
        GridItem.objects.bulk_create(
            GridItem(question=question, order=i, code=row, text_ko=ko_row, text_en=en_row)
            for i, (row, ko_row, en_row) in enumerate(extra.get("rows", []))
        )
    return questionnaire


def _demographics(rng: np.random.Generator, n: int) -> list[tuple[str, str, str]]:
    regions = list(SAMPLE_REGION)
    people = []
    while len(people) < n:
        region = str(rng.choice(regions, p=list(SAMPLE_REGION.values())))
        gender = "여성" if rng.random() < SAMPLE_FEMALE else "남성"
        band = str(rng.choice(AGE_BANDS, p=SAMPLE_AGE))
        if region == "도심권" and gender == "남성" and band in {"18-29", "30-39"}:
            if rng.random() < 0.85:
                continue
        people.append((region, gender, band))
    return people


def _likert(score: float, points: int) -> float:
    cuts = np.linspace(-1.6, 1.6, points - 1)
    return float(1 + int(np.searchsorted(cuts, score)))


def _answers(rng: np.random.Generator, attitude: float, knowledge: float) -> dict:
    """One synthetic respondent's answers, following the questionnaire's show-if rules."""
    values: dict = {}
    for code, kind, _ko, _en, extra in QUESTIONS:
        if "show_if" in extra:
            source, wanted = extra["show_if"]
            if values.get(source) not in {float(v) for v in wanted}:
                continue
        push = extra.get("push", 0)
        score = push * attitude + rng.normal(0, 0.8)
        if kind == "likert":
            values[code] = _likert(score, extra["points"])
        elif kind == "scale10":
            values[code] = float(min(10, max(0, round(5 + 2 * score))))
        elif kind == "grid":
            for i, (row, _k, _e) in enumerate(extra["rows"]):
                shift = (i - 1.5) * 0.3
                row_score = push * attitude + shift + rng.normal(0, 0.8)
                values[f"{code}_{row}"] = _likert(row_score, extra["points"])
        elif kind == "single":
            options = [o[0] for o in extra["options"]]
            position = min(len(options) - 1, max(0, int((score + 1.5) / 3 * len(options))))
            values[code] = float(options[position] if push else rng.choice(options))
        elif kind == "multiple":
            options = [o[0] for o in extra["options"]]
            scores = {o: score * 0.5 + rng.normal(0, 1) for o in options}
            chosen = sorted(options, key=lambda o: -scores[o])[
                : int(rng.integers(1, extra["max"] + 1))
            ]
            for option in options:
                values[f"{code}_{option}"] = float(option in chosen)
        elif kind == "knowledge":
            p_correct = 1 / (1 + math.exp(-(0.3 + knowledge)))
            if rng.random() < p_correct:
                values[code] = float(extra["correct"])
            else:
                values[code] = float(
                    rng.choice([o[0] for o in extra["options"] if o[0] != extra["correct"]])
                )
        elif code == "Q2":
            values[code] = float(min(15, 1 + rng.poisson(1.6)))
        elif code == "Q19":
            values[code] = float(min(50, rng.poisson(2)))
        elif code == "Q20":
            values[code] = float(min(100000, 1000 * rng.poisson(3 + 2 * max(0, -attitude))))
        elif code == "Q25":
            values[code] = str(rng.choice(WORDS))
        elif code == "Q26":
            comment = str(rng.choice(COMMENTS))
            if comment:
                values[code] = comment
    return values


def seed_respondents(wave: Wave) -> None:
    """Synthetic respondents with skewed demographics; about a third volunteer."""
    if wave.responses.exists():
        return
    rng = np.random.default_rng(2021)
    people = _demographics(rng, RESPONDENTS)
    questions = questions_of(wave.questionnaire)
    index = item_index(questions, specs_of(questions))
    start = timezone.make_aware(timezone.datetime(2021, 8, 2, 9))
    responses = []
    profiles = []
    for i, (region, gender, band) in enumerate(people, start=1):
        low, high = AGE_RANGES[band]
        age = int(rng.integers(low, high + 1))
        age_index = AGE_BANDS.index(band)
        attitude = (
            0.45 * (age_index - 2) + (0.35 if gender == "여성" else -0.2) + rng.normal(0, 0.7)
        )
        knowledge = 0.3 * (2 - abs(age_index - 2)) + rng.normal(0, 0.5)
        submitted = start + timezone.timedelta(minutes=int(rng.integers(0, 18 * 24 * 60)))
        responses.append(
            Response(
                wave=wave,
                respondent_id=f"S{i:05d}",
                source=Response.Source.IMPORTED if i % 5 else Response.Source.ONLINE,
                status=Response.Status.COMPLETE,
                region=region,
                district=str(rng.choice(panels_demo.SEOUL_DISTRICTS[region])),
                gender=gender,
                birth_year=REFERENCE_YEAR - age,
                age_band=band,
                consented_at=submitted,
                sensitive_consented_at=submitted,
                submitted_at=submitted,
                duration_seconds=int(rng.lognormal(math.log(560), 0.35)),
            )
        )
        profiles.append((attitude, knowledge, age_index))
    Response.objects.bulk_create(responses, batch_size=1000)
    ids = dict(Response.objects.filter(wave=wave).values_list("respondent_id", "pk"))
    answers = []
    for response, (attitude, knowledge, _age) in zip(responses, profiles, strict=True):
        answers += actions.answer_values(
            ids[response.respondent_id], index, _answers(rng, attitude, knowledge)
        )
    actions.insert_answers(answers)
    seed_volunteers(wave, rng, ids, profiles, responses)


def seed_volunteers(wave, rng, ids, profiles, responses) -> None:
    opt_ins = []
    for response, (_attitude, _knowledge, age_index) in zip(responses, profiles, strict=True):
        if rng.random() < VOLUNTEER_SHARE * VOLUNTEER_BY_AGE[age_index]:
            opt_ins.append(
                VolunteerOptIn(
                    deliberation=wave.deliberation,
                    response_id=ids[response.respondent_id],
                    region=response.region,
                    district=response.district,
                    gender=response.gender,
                    age_band=response.age_band,
                    consented_at=response.submitted_at,
                )
            )
    VolunteerOptIn.objects.bulk_create(opt_ins, batch_size=1000)
    created = VolunteerOptIn.objects.filter(deliberation=wave.deliberation).order_by("pk")
    ContactDetails.objects.bulk_create(
        [
            ContactDetails(
                opt_in=opt_in,
                name=f"합성 시민 {n:04d}",
                phone=f"010-0000-{n:04d}",
                email=f"volunteer{n:04d}@example.org",
            )
            for n, opt_in in enumerate(created, start=1)
        ],
        batch_size=1000,
    )


def seed_quotas(wave: Wave) -> None:
    from panels.demo import APPROXIMATE_SEOUL_MARGINS

    for region, share in APPROXIMATE_SEOUL_MARGINS["region"].items():
        FieldworkQuota.objects.update_or_create(
            wave=wave,
            region=region,
            gender="",
            age_band="",
            defaults={"target": round(RESPONDENTS * share)},
        )


@transaction.atomic
def seed_poll(deliberation: Deliberation) -> Wave:
    """The Seoul poll: districts, questionnaire, wave, quotas, respondents, weights."""
    panels_demo.seed_regions(deliberation)
    questionnaire = seed_questionnaire(deliberation)
    wave, _ = Wave.objects.update_or_create(
        deliberation=deliberation,
        label=WAVE_LABEL,
        defaults={
            "questionnaire": questionnaire,
            "kind": Wave.Kind.POLL,
            "title": f"1단계 여론조사 ({RESPONDENTS:,}명)",
            "is_open": True,
            "open_link_token": OPEN_LINK_TOKEN,
            "reference_year": REFERENCE_YEAR,
            **consent.initial_texts(),
            "purpose": PURPOSE,
            "purpose_en": PURPOSE_EN,
            "retention": RETENTION,
            "retention_en": RETENTION_EN,
            "contact": "서울시 공론화 추진단 (데모)",
            "contact_en": "Seoul deliberation office (demo)",
        },
    )
    seed_quotas(wave)
    seed_respondents(wave)
    if not wave.weighting_runs.exists():
        actions.do_weight_wave(wave, cap=5.0)
    return wave


# Prior opinion as a selection stratum: accepting a facility in one's neighbourhood.
OPINION_QUESTION = "Q12"


def seed_opinion_stratum(deliberation: Deliberation, wave: Wave, actor) -> None:
    """The demo panel is drawn by prior opinion too: the answer to Q12, its targets from the
    weighted poll's shares."""
    if OpinionStratum.objects.filter(deliberation=deliberation).exists():
        return
    question = wave.questionnaire.questions.get(code=OPINION_QUESTION)
    do_choose_opinion_stratum(deliberation, wave, question, actor=actor)


def seed_pool(deliberation: Deliberation, actor) -> None:
    """The poll's volunteers join the pool, each with their answer to the opinion question;
    their record ids come from a seeded generator, so the demo draws the same panel each time.
    """
    if deliberation.volunteers.exists():
        return
    check = actions.do_add_poll_volunteers(
        deliberation, allowed_values(deliberation), actor=actor, rng=random.Random(2021)
    )
    if not check.ok:
        raise RuntimeError(f"demo pool refused: {check.issues[:3]}")
