"""Benchmark: a national poll of 100,000 respondents and 60 questions, end to end.

The design's upper column (DESIGN.md §5), through the product's own code paths:

- import: a synthetic 100,000-row SPSS .sav and the same rows as CSV, each uploaded, checked
  row by row and imported by the import job (``do_store_upload``, ``do_queue_check``,
  ``run_import_job``, ``do_queue_import``, ``run_import_job``) in a separate process whose
  peak memory is read (target: under 60 s and under 1 GB); then the same file again, which
  adds nothing (target: under 30 s);
- the writer alone: the file's answers through ``insert_answers`` against the ORM's
  ``bulk_create`` on a sample of respondents;
- raking of the 100,000 with trimming (``do_weight_wave``, cap 5);
- the results page of every question (weighted frequencies and a crosstab by region),
  warm, with Django's test client signed in as an analyst (target: under 1 s), and the
  fieldwork dashboard as the organizer (target: under 500 ms);
- every export (CSV, XLSX, SAV, DTA) of the 100,000 (target: under 30 s), each in its own
  process, and its memory growth at 10,000 and at 100,000 rows (constant if streamed).

Each figure is printed with its ratio to a reference measured in the same run: a plain
multi-row INSERT of the file's 100,000 rows into a scratch table without indexes. The data
are synthetic (generated here, demographics drawn as the demo's). Run from the repository
root, on SQLite (a new file in a temporary directory) or, with DATABASE_URL, on an empty
PostgreSQL database made for the run; ``--explain`` (PostgreSQL) prints EXPLAIN ANALYZE of
the results page's and the dashboard's slowest queries:

    .venv/bin/python bench/poll_scale.py [--rows 100000] [--explain] [--profile] [--pages-only]
        [--exports-only]

``--pages-only`` writes the wave directly and measures raking and the pages alone;
``--exports-only`` writes the wave (and the 10,000 of the memory baseline) directly, rakes
them and measures the exports alone.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
    os.environ["SQLITE_PATH"] = str(
        Path(tempfile.mkdtemp(prefix="gongnon-bench-")) / "poll.sqlite3"
    )

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# As in production: the development settings' DEBUG logs every SQL statement with its
# parameters, which alone doubles the import's writing time.
settings.DEBUG = False

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyreadstat  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from deliberation.core.models import Deliberation, Membership  # noqa: E402
from deliberation.core.roles import Role  # noqa: E402
from panels import demo as panels_demo  # noqa: E402
from panels.strata import age_band  # noqa: E402
from surveys import actions  # noqa: E402
from surveys import demo as surveys_demo  # noqa: E402
from surveys.actions.questionnaires import add_likert_options  # noqa: E402
from surveys.item_data import wave_items  # noqa: E402
from surveys.models import (  # noqa: E402
    Answer,
    Option,
    PollImport,
    Question,
    Questionnaire,
    Response,
    Wave,
)
from surveys.questionnaires import item_index, questions_of, specs_of  # noqa: E402
from surveys.selectors import age_bands_for  # noqa: E402

SEED = 2021
QUESTIONS = 60
TARGET_IMPORT, TARGET_MEMORY_MB, TARGET_AGAIN = 60.0, 1024.0, 30.0
TARGET_RESULTS, TARGET_DASHBOARD, TARGET_EXPORT = 1.0, 0.5, 30.0
EXPORTS = ("csv", "xlsx", "sav", "dta")
PASSWORD = "bench-poll-scale"
MB = 1024 * 1024


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def peak_mb() -> float:
    """This process's peak resident memory since it started (VmHWM: getrusage's ru_maxrss
    would keep the forking parent's, which holds the synthetic files)."""
    with open("/proc/self/status") as status:
        for row in status:
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's CPU time: with other work on the two cores, wall time is longer."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The questionnaire: 60 closed questions, as a national poll asks them.


def question_kind(number: int) -> str:
    return ("likert", "likert", "single", "scale10")[number % 4]


def seed_questionnaire(deliberation: Deliberation) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        deliberation=deliberation, title="전국 여론조사 (합성, 60문항)", version=1
    )
    for number in range(1, QUESTIONS + 1):
        kind = question_kind(number)
        question = Question.objects.create(
            questionnaire=questionnaire,
            order=number,
            code=f"Q{number:02d}",
            kind=kind,
            text_ko=f"합성 문항 {number}",
            text_en=f"Synthetic question {number}",
            required=True,
            low_label_ko="전혀" if kind == "scale10" else "",
            high_label_ko="매우" if kind == "scale10" else "",
        )
        if kind == "likert":
            add_likert_options(question, 5)
        elif kind == "single":
            Option.objects.bulk_create(
                Option(question=question, order=v, value=v, label_ko=f"보기 {v}")
                for v in range(1, 5)
            )
    return questionnaire


def new_wave(deliberation: Deliberation, questionnaire: Questionnaire, label: str) -> Wave:
    return Wave.objects.create(
        deliberation=deliberation,
        questionnaire=questionnaire,
        kind=Wave.Kind.POLL,
        label=label,
        title=f"전국 여론조사 {label} (합성)",
        reference_year=surveys_demo.REFERENCE_YEAR,
    )


def synthetic_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """n respondents with the demo's skewed demographics and answers that follow an attitude."""
    people = surveys_demo._demographics(rng, n)
    ages = [
        int(rng.integers(*surveys_demo.AGE_RANGES[band], endpoint=True)) for _r, _g, band in people
    ]
    districts = [str(rng.choice(panels_demo.SEOUL_DISTRICTS[region])) for region, _g, _b in people]
    attitude = rng.normal(0, 1, n)
    columns: dict[str, object] = {
        "응답자ID": [f"P{i:06d}" for i in range(1, n + 1)],
        "시군구": districts,
        "성별": [gender for _r, gender, _b in people],
        "출생연도": [surveys_demo.REFERENCE_YEAR - age for age in ages],
        "소요시간": np.round(rng.lognormal(np.log(560), 0.35, n)),
    }
    for number in range(1, QUESTIONS + 1):
        score = 0.6 * attitude + rng.normal(0, 0.8, n)
        kind = question_kind(number)
        if kind == "likert":
            values = 1 + np.searchsorted(np.linspace(-1.6, 1.6, 4), score)
        elif kind == "single":
            values = 1 + np.searchsorted(np.linspace(-1.0, 1.0, 3), score)
        else:
            values = np.clip(np.round(5 + 2 * score), 0, 10)
        columns[f"Q{number:02d}"] = values.astype(float)
    return pd.DataFrame(columns)


def write_files(frame: pd.DataFrame, directory: Path, name: str) -> tuple[Path, Path]:
    sav = directory / f"{name}.sav"
    # Polling firms' SPSS files are bytecode-compressed; 100,000 x 65 doubles would be 52 MB.
    pyreadstat.write_sav(frame, str(sav), row_compress=True)
    csv_path = directory / f"{name}.csv"
    frame.to_csv(csv_path, index=False, float_format="%.0f")
    return sav, csv_path


MAPPING_TARGETS = {
    "응답자ID": "respondent_id",
    "시군구": "district",
    "성별": "gender",
    "출생연도": "birth_year",
    "소요시간": "duration_seconds",
}


def reference_insert(frame: pd.DataFrame) -> float:
    """The file's rows into a scratch table with plain multi-row INSERTs: no models, no checks."""
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    width = len(rows[0])
    values = "(" + ", ".join(["%s"] * width) + ")"
    chunk = max(1, (connection.features.max_query_params or 30000) // width)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_reference_poll ("
            + ", ".join(f"c{k} varchar(40)" for k in range(width))
            + ")"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                "INSERT INTO bench_reference_poll VALUES " + ", ".join([values] * len(part)),
                [cell for row in part for cell in row],
            )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_reference_poll")
    return seconds


def line(name: str, seconds: float, reference: float, extra: str = "") -> None:
    print(f"  {name:<58} {seconds:7.2f} s {seconds / reference:7.2f} x ref  {extra}", flush=True)


# Children: one import, or one export, in a process of its own, for its peak memory.


def child_import(wave_id: int, path: str) -> dict:
    wave = Wave.objects.get(pk=wave_id)
    before = rss_mb()
    cpu = cpu_seconds()
    started = time.perf_counter()
    content = Path(path).read_bytes()
    poll = actions.do_store_upload(
        wave, filename=Path(path).name, content=content, columns=[], actor=None
    )
    del content
    columns = [*MAPPING_TARGETS, *(f"Q{n:02d}" for n in range(1, QUESTIONS + 1))]
    mapping = {c: MAPPING_TARGETS.get(c, c) for c in columns}
    actions.do_queue_check(poll, mapping)
    check_status = actions.run_import_job(poll.pk)
    checked = time.perf_counter() - started
    actions.do_queue_import(PollImport.objects.get(pk=poll.pk))
    import_status = actions.run_import_job(poll.pk)
    seconds = time.perf_counter() - started
    poll.refresh_from_db()
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "checked": checked,
        "status": [check_status, import_status],
        "result": poll.report.get("result"),
        "bad_rows": poll.report.get("bad_rows"),
        "before_mb": before,
        "peak_mb": peak_mb(),
    }


def signed_in(role: str, deliberation_id: int) -> Client:
    user = get_user_model().objects.get(username=f"bench-{role}")
    client = Client()
    client.force_login(user)
    return client


def child_export(wave_id: int, fmt: str) -> dict:
    wave = Wave.objects.get(pk=wave_id)
    client = signed_in(Role.ANALYST, wave.deliberation_id)
    url = reverse("surveys:export_download", args=[wave.pk, fmt])
    before = rss_mb()
    cpu = cpu_seconds()
    started = time.perf_counter()
    response = client.get(url)
    size = 0
    if response.streaming:
        for part in response.streaming_content:
            size += len(part)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "status": response.status_code,
        "streamed": response.streaming,
        "bytes": size,
        "before_mb": before,
        "peak_mb": peak_mb(),
    }


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# The pages.


def make_user(role: str, deliberation: Deliberation):
    user = get_user_model().objects.create_user(
        username=f"bench-{role}", email=f"bench-{role}@example.org", password=PASSWORD
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Membership.objects.create(deliberation=deliberation, user=user, role=role)
    return user


def timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def slowest_queries(client: Client, url: str, count: int = 3) -> list[tuple[float, str]]:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timed = sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)
    return timed[:count]


def explain(title: str, client: Client, url: str) -> None:
    print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of the {title}'s slowest queries ({url}):")
    for seconds, sql in slowest_queries(client, url):
        print(f"\n  -- {seconds * 1000:.1f} ms: {sql[:400]}{' ...' if len(sql) > 400 else ''}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (row,) in cursor.fetchall():
                print(f"     {row}")


def profile(client: Client, url: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    print("\n".join("    " + row for row in out.getvalue().splitlines()[:45]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="rows of the export baseline")
    parser.add_argument("--sample", type=int, default=5_000, help="respondents of the writer test")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE (PostgreSQL)")
    parser.add_argument("--profile", action="store_true", help="cProfile of the pages")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="write the wave directly (insert_answers) and measure raking and the pages only",
    )
    parser.add_argument(
        "--exports-only",
        action="store_true",
        help="write the wave directly (insert_answers), rake it and measure the exports only",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, wave_id, what = args.child
        result = child_import(int(wave_id), what) if kind == "import" else None
        if kind == "export":
            result = child_export(int(wave_id), what)
        print(json.dumps(result))
        return

    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"Poll of {args.rows:,} x {QUESTIONS} questions on {connection.vendor} "
        f"({connection.settings_dict['NAME']}), {os.cpu_count()} cores shared; "
        f"migrate (not counted) {time.perf_counter() - started:.1f} s"
    )
    if Deliberation.objects.exists():
        raise SystemExit("The database is not empty: run the benchmark on a fresh database.")
    deliberation = Deliberation.objects.create(
        slug="bench-poll", title="전국 여론조사 벤치마크 (합성)"
    )
    panels_demo.seed_regions(deliberation)
    panels_demo.seed_margins(deliberation)
    questionnaire = seed_questionnaire(deliberation)
    make_user(Role.ANALYST, deliberation)
    make_user(Role.ORGANIZER, deliberation)
    directory = Path(tempfile.mkdtemp(prefix="gongnon-bench-poll-files-"))
    frame = synthetic_frame(args.rows, rng)
    sav, csv_path = write_files(frame, directory, "poll")
    small_sav, _small_csv = write_files(frame.iloc[: args.small], directory, "small")
    sizes = f".sav {sav.stat().st_size / MB:.1f} MB, .csv {csv_path.stat().st_size / MB:.1f} MB"
    print(f"  files: {sizes} ({args.rows:,} rows x {frame.shape[1]} columns)")
    reference = reference_insert(frame)
    print(
        f"  reference: plain multi-row INSERT of the file's {args.rows:,} rows: {reference:.2f} s\n"
    )

    if args.pages_only:
        wave = new_wave(deliberation, questionnaire, "direct")
        started = time.perf_counter()
        write_directly(wave, questionnaire, frame)
        line(f"{args.rows:,} written directly", time.perf_counter() - started, reference)
        weigh_and_time_pages(wave, deliberation, reference, args)
        return
    if args.exports_only:
        wave = new_wave(deliberation, questionnaire, "direct")
        small = new_wave(deliberation, questionnaire, "small")
        started = time.perf_counter()
        write_directly(wave, questionnaire, frame)
        write_directly(small, questionnaire, frame.iloc[: args.small])
        line(
            f"{args.rows:,} and {args.small:,} written directly",
            time.perf_counter() - started,
            reference,
        )
        started = time.perf_counter()
        actions.do_weight_wave(wave, cap=5.0)
        actions.do_weight_wave(small, cap=5.0)
        line("both raked (do_weight_wave, cap 5)", time.perf_counter() - started, reference)
        time_exports(wave, small, reference, args)
        return

    print("Import (upload, row-level check, write, quality flags; own process):")
    waves = {}
    for label, path in (("sav", sav), ("csv", csv_path)):
        waves[label] = new_wave(deliberation, questionnaire, label)
        result = run_child("import", str(waves[label].pk), str(path))
        assert result["status"] == ["done", "done"], result
        created = result["result"]["created"]
        assert created == args.rows, result
        ok = result["seconds"] < TARGET_IMPORT and result["peak_mb"] < TARGET_MEMORY_MB
        line(
            f".{label}: {created:,} imported (check {result['checked']:.1f} s)",
            result["seconds"],
            reference,
            f"CPU {result['cpu']:.1f} s; peak {result['peak_mb']:.0f} MB "
            f"(at start {result['before_mb']:.0f}); "
            f"target <{TARGET_IMPORT:.0f} s, <1 GB: {verdict(ok)}",
        )
    wave = waves["sav"]
    answers = Answer.objects.filter(response__wave=wave).count()
    print(f"    -> {Response.objects.filter(wave=wave).count():,} responses, {answers:,} answers")
    again = run_child("import", str(wave.pk), str(sav))
    assert again["result"]["created"] == 0, again
    assert Answer.objects.filter(response__wave=wave).count() == answers
    line(
        f".sav again: nothing added ({again['result']['already_present']:,} already present)",
        again["seconds"],
        reference,
        f"CPU {again['cpu']:.1f} s; peak {again['peak_mb']:.0f} MB; "
        f"target <{TARGET_AGAIN:.0f} s: "
        f"{verdict(again['seconds'] < TARGET_AGAIN)}",
    )
    writer_sample(deliberation, questionnaire, frame.iloc[: args.sample], reference)
    weigh_and_time_pages(wave, deliberation, reference, args)

    small = new_wave(deliberation, questionnaire, "small")
    assert run_child("import", str(small.pk), str(small_sav))["result"]["created"] == args.small
    actions.do_weight_wave(small, cap=5.0)
    time_exports(wave, small, reference, args)


def time_exports(wave: Wave, small: Wave, reference: float, args: argparse.Namespace) -> None:
    """Each export of the wave and of the small one, each in a process of its own."""
    print("\nExports (own process each; memory growth = peak less the RSS before the request):")
    for fmt in EXPORTS:
        big = run_child("export", str(wave.pk), fmt)
        little = run_child("export", str(small.pk), fmt)
        assert big["status"] == little["status"] == 200, (big, little)
        growth_big = big["peak_mb"] - big["before_mb"]
        growth_small = little["peak_mb"] - little["before_mb"]
        line(
            f"{fmt}: {big['bytes'] / MB:.1f} MB, {'streamed' if big['streamed'] else 'in memory'}",
            big["seconds"],
            reference,
            f"CPU {big['cpu']:.1f} s; memory +{growth_small:.0f} MB at {args.small:,} rows, "
            f"+{growth_big:.0f} MB at "
            f"{args.rows:,}; target <{TARGET_EXPORT:.0f} s: "
            f"{verdict(big['seconds'] < TARGET_EXPORT)}",
        )


def weigh_and_time_pages(
    wave: Wave, deliberation: Deliberation, reference: float, args: argparse.Namespace
) -> None:
    """Raking, then the results page of every question and the dashboard, warm."""
    if connection.vendor == "postgresql":
        # As autovacuum would by now: the planner's row counts, for the plans printed.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print("\nRaking (do_weight_wave, margins region x gender x age band, cap 5):")
    started = time.perf_counter()
    run = actions.do_weight_wave(wave, cap=5.0)
    line(
        f"{run.respondents:,} raked: {run.iterations} iterations, deff {run.design_effect:.2f}",
        time.perf_counter() - started,
        reference,
        f"converged {run.converged}",
    )

    print("\nPages (Django test client, warm: the second of two passes):")
    analyst = signed_in(Role.ANALYST, deliberation.pk)
    organizer = signed_in(Role.ORGANIZER, deliberation.pk)
    items = [info.item for info in wave_items(wave) if info.is_categorical]
    results_url = reverse("surveys:results", args=[wave.pk])
    urls = [f"{results_url}?item={item}&by=region" for item in items]
    cold = [timed_get(analyst, url) for url in urls]
    warm = [timed_get(analyst, url) for url in urls]
    worst = max(warm)
    print(
        f"  results page, each of {len(urls)} questions (frequencies, weighted, crosstab by "
        f"region):\n    cold median {statistics.median(cold):.3f} s; warm median "
        f"{statistics.median(warm):.3f} s, worst {worst:.3f} s, all {len(urls)} "
        f"{sum(warm):.2f} s ({statistics.median(warm) / reference:.3f} x ref); "
        f"target <{TARGET_RESULTS:.0f} s: {verdict(worst < TARGET_RESULTS)}"
    )
    dashboard_url = reverse("surveys:dashboard", args=[wave.pk])
    timed_get(organizer, dashboard_url)
    dash = [timed_get(organizer, dashboard_url) for _ in range(3)]
    print(
        f"  fieldwork dashboard: warm median {statistics.median(dash):.3f} s, worst "
        f"{max(dash):.3f} s; target <{TARGET_DASHBOARD * 1000:.0f} ms: "
        f"{verdict(max(dash) < TARGET_DASHBOARD)}"
    )
    if args.profile:
        print("\n  profile of one results page:")
        profile(analyst, urls[0])
        print("\n  profile of the dashboard:")
        profile(organizer, dashboard_url)

    if args.explain:
        if connection.vendor != "postgresql":
            print("\n  --explain needs PostgreSQL (DATABASE_URL)")
        else:
            explain("results page", analyst, urls[0])
            explain("dashboard", organizer, dashboard_url)


def write_directly(wave: Wave, questionnaire: Questionnaire, frame: pd.DataFrame) -> None:
    """The file's rows as counted responses, without the import's checks (--pages-only,
    --exports-only)."""
    districts = {d: region for region, ds in panels_demo.SEOUL_DISTRICTS.items() for d in ds}
    bands = age_bands_for(wave)
    responses = Response.objects.bulk_create(
        (
            Response(
                wave=wave,
                respondent_id=respondent,
                status=Response.Status.COMPLETE,
                region=districts[district],
                district=district,
                gender=gender,
                birth_year=int(year),
                age_band=age_band(int(year), wave.reference_year, bands) or "",
            )
            for respondent, district, gender, year in zip(
                frame["응답자ID"], frame["시군구"], frame["성별"], frame["출생연도"], strict=True
            )
        ),
        batch_size=2000,
    )
    questions = questions_of(questionnaire)
    index = item_index(questions, specs_of(questions))
    codes = [f"Q{n:02d}" for n in range(1, QUESTIONS + 1)]
    values = frame[codes].to_numpy()
    actions.insert_answers(
        (response.pk, index[code], code, float(value), "")
        for response, answers in zip(responses, values, strict=True)
        for code, value in zip(codes, answers, strict=True)
    )


def writer_sample(
    deliberation: Deliberation, questionnaire: Questionnaire, frame: pd.DataFrame, reference: float
) -> None:
    """The same answers written by insert_answers and by bulk_create, then rolled back."""
    questions = questions_of(questionnaire)
    index = item_index(questions, specs_of(questions))
    codes = [f"Q{n:02d}" for n in range(1, QUESTIONS + 1)]
    values = frame[codes].to_numpy()

    def rows(ids: list[int]):
        for pk, answers in zip(ids, values, strict=True):
            for code, value in zip(codes, answers, strict=True):
                yield (pk, index[code], code, float(value), "")

    timings = {}
    for name in ("insert_answers", "bulk_create"):
        with transaction.atomic():
            wave = new_wave(deliberation, questionnaire, f"writer-{name}")
            created = Response.objects.bulk_create(
                Response(wave=wave, respondent_id=f"W{i}", status=Response.Status.COMPLETE)
                for i in range(len(frame))
            )
            ids = [r.pk for r in created]
            started = time.perf_counter()
            if name == "insert_answers":
                actions.insert_answers(rows(ids))
            else:
                Answer.objects.bulk_create(
                    (Answer(**dict(zip(actions.ANSWER_FIELDS, r, strict=True))) for r in rows(ids)),
                    batch_size=2000,
                )
            timings[name] = time.perf_counter() - started
            transaction.set_rollback(True)
    n = len(frame) * QUESTIONS
    print(
        f"  writer alone, {n:,} answers: insert_answers {timings['insert_answers']:.2f} s, "
        f"ORM bulk_create {timings['bulk_create']:.2f} s "
        f"({timings['bulk_create'] / timings['insert_answers']:.1f} x slower)"
    )


if __name__ == "__main__":
    main()
