"""Benchmark: a Shin-Kori-sized recruitment, end to end, through the product's own code.

A synthetic poll of 20,000 respondents (imported as a polling firm's file, then raked),
6,000 of whom volunteer; prior opinion on the question as a stratum with its targets from
the weighted poll; a plan of 500 finishers over-recruited for attendance (lower for the
young); the quotas region x gender x age x opinion; LEXIMIN and the lottery; the public
draw with reserves; confirmations with declines replaced from the reserves in one batch;
verify_draw; one session's attendance and the post survey; the funnel, the
representativeness comparison and the report's data and analysis. Every step goes through
the models and the `do_*` actions the pages use.

Run by hand from the repository root, on SQLite (a new file in a temporary directory):

    .venv/bin/python bench/recruitment_e2e.py

or on PostgreSQL, in a database created for the run and dropped after it:

    createdb -h 127.0.0.1 -U postgres bench14
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench14 \\
        .venv/bin/python bench/recruitment_e2e.py
    dropdb -h 127.0.0.1 -U postgres bench14

Every step's time is printed with its ratio to a reference measured in the same run: a plain
bulk insert (multi-row INSERT ... VALUES) of the poll's rows, one per respondent and one per
answer, into scratch tables without indexes: about the least a database spends writing
this poll.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="gongnon-bench-")) / "e2e.sqlite3")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from deliberation.core.models import Deliberation, Membership  # noqa: E402
from deliberation.core.roles import Role  # noqa: E402
from deliberation.forum.actions import do_open_rooms  # noqa: E402
from deliberation.forum.models import Attendance, Session  # noqa: E402
from deliberation.forum.selectors import plenary_room  # noqa: E402
from deliberation.report.analysis import analyse  # noqa: E402
from deliberation.report.selectors import build_report_data, funnel_steps  # noqa: E402
from panels import actions as panel_actions  # noqa: E402
from panels import selectors as panel_selectors  # noqa: E402
from panels.audit_record import verify_record  # noqa: E402
from panels.demo import APPROXIMATE_SEOUL_MARGINS, SEOUL_DISTRICTS, seed_regions  # noqa: E402
from panels.funnel import funnel_table  # noqa: E402
from panels.margins import Margin  # noqa: E402
from panels.models import Panelist, SeatContact, SelectionRun  # noqa: E402
from panels.runner import execute_run  # noqa: E402
from surveys.actions import (  # noqa: E402
    do_add_poll_volunteers,
    do_choose_opinion_stratum,
    do_import_poll,
    do_volunteer,
    do_weight_wave,
)
from surveys.imports import validate  # noqa: E402
from surveys.models import (  # noqa: E402
    Option,
    Question,
    Questionnaire,
    Response,
    Wave,
)
from surveys.poll_files import Table  # noqa: E402

SEED = 20171020
RESPONDENTS, VOLUNTEERS = 20_000, 6_000
FINISHERS, ATTENDANCE, YOUNG_ATTENDANCE = 500, Decimal("0.940"), {"18-29": 0.85, "30-39": 0.9}
TOLERANCE, LOTTERY_SIZE, RESERVES = Decimal("0.05"), 1000, 55
PUBLIC_NUMBER = "20171020"
DECLINE_RATE, ATTEND_RATE, POST_RATE = 0.08, 0.95, 0.97
OPINION = [(1, "찬성", "Resume"), (2, "반대", "Stop"), (3, "유보", "Undecided")]
LIKERT = [(i, f"{i}점", f"{i}") for i in range(1, 6)]
ITEMS = ["Q2", "Q3", "Q4", "Q5", "Q6"]
AGE_BANDS = ["18-29", "30-39", "40-49", "50-59", "60+"]
AGE_YEARS = {"18-29": (18, 29), "30-39": (30, 39), "40-49": (40, 49), "50-59": (50, 59)}
# The sample's skew (the weights undo it): older people and women answer more.
SAMPLE_AGE = [0.10, 0.14, 0.19, 0.23, 0.34]
SAMPLE_FEMALE = 0.56

TIMES: list[tuple[str, float]] = []


@contextmanager
def step(name: str):
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    TIMES.append((name, seconds))
    print(f"  {name:<68} {seconds:8.2f} s", flush=True)


def synthetic_poll(rng: np.random.Generator) -> tuple[Table, list[dict[str, Any]]]:
    """The polling firm's file: region, district, gender, age band and six answers.

    Opinion leans with age (the young lean to 반대), so raking changes its shares; one in
    twenty leaves the opinion question unanswered (무응답).
    """
    regions = list(APPROXIMATE_SEOUL_MARGINS["region"])
    region_p = list(APPROXIMATE_SEOUL_MARGINS["region"].values())
    columns = ["respondent_id", "region", "district", "gender", "age_band", "Q1", *ITEMS]
    rows, people = [], []
    for i in range(RESPONDENTS):
        region = regions[int(rng.choice(5, p=region_p))]
        district = SEOUL_DISTRICTS[region][int(rng.integers(len(SEOUL_DISTRICTS[region])))]
        gender = "여성" if rng.random() < SAMPLE_FEMALE else "남성"
        age = int(rng.choice(5, p=SAMPLE_AGE))
        lean = 0.25 * (age - 2) + (0.1 if gender == "남성" else 0.0)
        p = np.array([0.42 + lean, 0.36 - lean, 0.22])
        p = np.clip(p, 0.05, None)
        opinion = "" if rng.random() < 0.05 else str(1 + int(rng.choice(3, p=p / p.sum())))
        answers = [str(int(rng.integers(1, 6))) for _ in ITEMS]
        rows.append([f"R{i:06d}", region, district, gender, AGE_BANDS[age], opinion, *answers])
        people.append({"age": age, "opinion": opinion})
    return Table(columns, rows), people


def _insert_rows(cursor: Any, table: str, rows: list[tuple], chunk: int = 500) -> None:
    """Multi-row INSERT ... VALUES statements of ``chunk`` rows each."""
    width = len(rows[0])
    values = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        cursor.execute(
            f"INSERT INTO {table} VALUES " + ", ".join([values] * len(part)),
            [cell for row in part for cell in row],
        )


def reference_insert(table: Table) -> float:
    """A plain bulk insert of the poll's rows (one per respondent, one per answer) into
    scratch tables, in one transaction: no models, no checks, no indexes."""
    respondents = [tuple(row[:5]) for row in table.rows]
    answers = [
        (row[0], code, float(value))
        for row in table.rows
        for code, value in zip(table.columns[5:], row[5:], strict=True)
        if value
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_reference_respondent (respondent_id varchar(40), "
            "region varchar(40), district varchar(40), gender varchar(20), age_band varchar(20))"
        )
        cursor.execute(
            "CREATE TABLE bench_reference_answer (respondent_id varchar(40), "
            "item varchar(60), value_number double precision)"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _insert_rows(cursor, "bench_reference_respondent", respondents)
        _insert_rows(cursor, "bench_reference_answer", answers)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_reference_respondent")
        cursor.execute("DROP TABLE bench_reference_answer")
    return seconds


def answer(seat: Panelist, given: str, actor: Any) -> None:
    """A seat's answer taken by telephone, as staff record it on the confirmations page."""
    panel_actions.do_record_seat_answer(
        seat,
        given,
        channel=SeatContact.Channel.PHONE,
        reason="일정이 맞지 않음" if given == "decline" else "",
        actor=actor,
    )


def organizer_account():
    user = get_user_model().objects.create(
        username="bench-organizer", email="organizer@bench.example.org"
    )
    user.groups.add(Group.objects.get(name=Role.ORGANIZER))
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_volunteer_contacts", content_type__app_label="surveys"
        )
    )
    return get_user_model().objects.get(pk=user.pk)


def questionnaire_for(deliberation: Deliberation) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        deliberation=deliberation, title="원전 건설 재개 여론조사 (합성)", version=1
    )
    for order, code in enumerate(["Q1", *ITEMS], start=1):
        question = Question.objects.create(
            questionnaire=questionnaire,
            order=order,
            code=code,
            kind=Question.Kind.SINGLE if code == "Q1" else Question.Kind.LIKERT,
            text_ko="건설을 재개해야 한다고 보십니까?" if code == "Q1" else f"문항 {code} (합성)",
            required=False,
        )
        Option.objects.bulk_create(
            Option(question=question, order=k, value=value, label_ko=ko, label_en=en)
            for k, (value, ko, en) in enumerate(OPINION if code == "Q1" else LIKERT)
        )
    return questionnaire


def run(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(SEED)
    engine = connection.vendor
    print(
        f"Shin-Kori-sized recruitment on {engine} ({connection.settings_dict['NAME']}): "
        f"{RESPONDENTS:,} respondents, {VOLUNTEERS:,} volunteers, {FINISHERS} finishers, "
        f"{RESERVES} reserves; seed {SEED}"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  (migrate, not counted: {time.perf_counter() - started:.1f} s)")
    if Deliberation.objects.exists():
        raise SystemExit("The database is not empty: run the benchmark on a fresh database.")
    table, people = synthetic_poll(rng)
    reference = reference_insert(table)
    answers = sum(1 for row in table.rows for v in row[5:] if v)
    print(
        f"  reference: plain bulk insert (multi-row VALUES) of {RESPONDENTS:,} respondent + "
        f"{answers:,} answer rows: {reference:.2f} s\n"
    )
    organizer = organizer_account()

    with step("setup: deliberation, 5 regions / 25 districts, margins"):
        deliberation = Deliberation.objects.create(
            slug="bench-shin-kori", title="공론화 벤치마크 (합성)", city="서울특별시"
        )
        Membership.objects.create(deliberation=deliberation, user=organizer, role=Role.ORGANIZER)
        seed_regions(deliberation)
        panel_actions.do_replace_margins(
            deliberation,
            [
                Margin(feature, value, share)
                for feature, shares in APPROXIMATE_SEOUL_MARGINS.items()
                for value, share in shares.items()
            ],
            actor=organizer,
        )
        wave = Wave.objects.create(
            deliberation=deliberation,
            questionnaire=questionnaire_for(deliberation),
            label="poll",
            kind=Wave.Kind.POLL,
            title="1단계 여론조사 (합성)",
            reference_year=2017,
        )
    with step(f"poll import: validate {RESPONDENTS:,} rows"):
        mapping = {c: c for c in table.columns}
        validation, index = validate(wave, table, mapping)
        assert not validation.bad, validation.bad[:3]
    with step(f"poll import: write {RESPONDENTS:,} responses, {answers:,} answers"):
        do_import_poll(wave, validation, index, actor=organizer)
    with step("weighting: rake to region x gender x age margins"):
        do_weight_wave(wave, cap=5.0, actor=organizer)
    # Volunteers lean old and 찬성, as pools do.
    propensity = np.array(
        [(0.7 + 0.15 * p["age"]) * (1.15 if p["opinion"] == "1" else 1.0) for p in people]
    )
    chosen = rng.choice(
        RESPONDENTS, size=VOLUNTEERS, replace=False, p=propensity / propensity.sum()
    )
    responses = dict(Response.objects.filter(wave=wave).values_list("respondent_id", "pk"))
    by_pk = Response.objects.in_bulk([responses[table.rows[i][0]] for i in chosen])
    with step(f"opt-ins: {VOLUNTEERS:,} respondents volunteer (one action each)"):
        for n, i in enumerate(chosen):
            do_volunteer(
                by_pk[responses[table.rows[i][0]]],
                name=f"합성 {n:05d}",
                phone=f"010-{n // 10000:04d}-{n % 10000:04d}",
                email=f"volunteer{n:05d}@bench.example.org",
            )
    with step("opinion stratum: weighted targets of Q1"):
        question = wave.questionnaire.questions.get(code="Q1")
        do_choose_opinion_stratum(deliberation, wave, question, actor=organizer)
    with step(f"pool: {VOLUNTEERS:,} poll volunteers with their opinion"):
        check = do_add_poll_volunteers(
            deliberation,
            panel_selectors.allowed_values(deliberation),
            actor=organizer,
            rng=random.Random(SEED),
        )
        assert check.ok, check.issues[:3]
    with step("plan: 500 finishers, attendance 94% (18-29 85%, 30-39 90%)"):
        plan = panel_actions.do_update_plan(
            deliberation,
            panel_size=FINISHERS,
            tolerance=TOLERANCE,
            lottery_size=LOTTERY_SIZE,
            actor=organizer,
            finishers=FINISHERS,
            attendance_rate=ATTENDANCE,
            attendance_feature="age_band",
            attendance_rates=YOUNG_ATTENDANCE,
        )
        quotas = panel_actions.do_derive_quotas(deliberation, actor=organizer)
    print(f"    -> draw {plan.panel_size} for {FINISHERS} finishers; {len(quotas)} quotas")
    with step("selection: LEXIMIN + lottery of 1,000 panels (the worker's run)"):
        selection_run = panel_actions.do_start_run(deliberation, actor=organizer, seed=SEED)
        selection_run = execute_run(selection_run.pk)
        assert selection_run.status == SelectionRun.Status.DONE, selection_run.error
    timings = selection_run.timings or {}
    if timings:
        print("    -> " + ", ".join(f"{k} {float(v):.2f} s" for k, v in sorted(timings.items())))
    with step(f"draw: public number, panel and {RESERVES} reserves, accounts"):
        audit = panel_actions.do_draw(
            selection_run, PUBLIC_NUMBER, actor=organizer, reserves=RESERVES
        )
    seats = list(Panelist.objects.filter(deliberation=deliberation).order_by("draw_position"))
    declines = [s for s in seats if rng.random() < DECLINE_RATE]
    with step(f"confirmations: {len(declines)} declines recorded, then the rest confirm"):
        declined = {seat.pk for seat in declines}
        for seat in seats:
            if seat.pk in declined:
                answer(seat, "decline", organizer)
        for seat in seats:
            if seat.pk not in declined:
                answer(seat, "confirm", organizer)
    with step("reserves: one batch replaces every decline"):
        replaced = panel_actions.do_replace_from_reserves(deliberation, actor=organizer)
        for seat in replaced:
            answer(seat, "confirm", organizer)
    print(
        f"    -> {len(replaced)} of {len(declines)} declines replaced from the reserves; "
        f"{len(declines) - len(replaced)} seats wait: no reserve left keeps every quota"
    )
    with step("verify_draw: recompute the lottery, draw, reserves, replacements"):
        audit.refresh_from_db()
        result = verify_record(panel_selectors.audit_record(audit))
        assert result.ok, result.problems
    active = list(
        Panelist.objects.active().filter(deliberation=deliberation).select_related("user")
    )
    with step("session and post survey: attendance and completions"):
        session = Session.objects.create(
            deliberation=deliberation,
            kind=Session.Kind.PLENARY,
            title="종합토론회",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timezone.timedelta(hours=5),
        )
        do_open_rooms(session)
        room = plenary_room(session)
        came = [s for s in active if rng.random() < ATTEND_RATE]
        Attendance.objects.bulk_create(
            Attendance(
                room=room,
                user=s.user,
                channel_name="bench",
                joined_at=session.starts_at,
                last_seen_at=session.ends_at,
                left_at=session.ends_at,
            )
            for s in came
        )
        post = Wave.objects.create(
            deliberation=deliberation,
            questionnaire=wave.questionnaire,
            label="post",
            kind=Wave.Kind.POST,
            title="사후 조사 (합성)",
            opens_at=session.ends_at,
        )
        now = timezone.now()
        Response.objects.bulk_create(
            Response(
                wave=post,
                respondent_id=s.pseudonym,
                panelist=s,
                status=Response.Status.COMPLETE,
                region=s.region,
                gender=s.gender,
                age_band=s.age_band,
                submitted_at=now,
            )
            for s in came
            if rng.random() < POST_RATE
        )
    with step("funnel: poll -> volunteers -> drawn -> confirmed -> session -> post"):
        funnel = funnel_table(funnel_steps(deliberation))
    with step("representativeness: panel vs population and weighted poll"):
        comparison = panel_selectors.representativeness(deliberation)
    with step("report data and analysis"):
        analysis = analyse(build_report_data(deliberation))
    total = sum(seconds for _name, seconds in TIMES)
    print(f"\n  {'total':<68} {total:8.2f} s  ({total / reference:.1f} x the reference)")
    print("\n  ratios to the reference (plain bulk insert of the poll's rows):")
    for name, seconds in TIMES:
        print(f"    {seconds / reference:7.2f} x  {name}")
    print("\n  funnel (count, from previous, from first):")
    for row in funnel.rows:
        prev = f"{row.from_previous:.1%}" if row.from_previous is not None else ""
        first = f"{row.from_first:.2%}" if row.from_first is not None else ""
        print(f"    {row.label:<30} {row.count:7,} {prev:>7} {first:>7}")
    print(
        "\n  representativeness (chi-square p, active panel vs target; over-recruitment draws"
        "\n  more of the age groups that attend less, so age departs from the population):"
    )
    for feature in comparison:
        print(f"    {feature.feature:<10} {_fit(feature)}")
    lottery_min = min(audit.probabilities.values())
    bound = (selection_run.min_probability or 0) - 1 / LOTTERY_SIZE
    print(
        f"\n  LEXIMIN min probability {selection_run.min_probability:.5f}; lottery min "
        f"{lottery_min:.5f} (>= LEXIMIN min - 1/M = {bound:.5f}: "
        f"{'OK' if lottery_min >= bound - 1e-12 else 'FAIL'}); {len(audit.reserves)} reserves; "
        f"verify_draw: {len(result.checks)} checks passed; report analysis: "
        f"{len(analysis.funnel.rows)} funnel rows"
    )


def _fit(feature: Any) -> str:
    p = feature.p_value
    return f"p = {p:.3f}" if p is not None else "no test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run(parser.parse_args())


if __name__ == "__main__":
    main()
