"""Benchmark: a pool of 100,000 volunteers imported, and a panel of 1,000 put in 100 groups.

The design's upper column (DESIGN.md §5). Through the product's own code:

- the pool file: a 100,000-row CSV (id, name, e-mail, phone, region, gender, age band) read
  and checked row by row, duplicates by id, e-mail and phone included (target: with the
  write below, under 60 s); then written with ``do_import_pool`` (volunteers and their
  contacts in bulk, one transaction);
- the same file again: every row is a duplicate, reported, and nothing is written;
- group allocation (numpy only): 1,000 panelists into 100 groups of 10 by region, gender
  and age band (target: under 5 s), beside today's 300 into 30.

Each step is printed with its ratio to a reference measured in the same run: a plain bulk
insert (multi-row INSERT ... VALUES) of the same 100,000 rows into a scratch table without
indexes. Run by hand from the repository root, on SQLite (a new file in a temporary
directory) or, with DATABASE_URL, on an empty PostgreSQL database made for the run:

    .venv/bin/python bench/pool_scale.py [--rows 100000] [--explain]

``--explain`` prints the query plans (EXPLAIN ANALYZE on PostgreSQL) of the pool page's
queries over the imported pool: the last page of volunteers, the counts per category and
the duplicate keys an import reads.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SQLITE_PATH"] = str(
        Path(tempfile.mkdtemp(prefix="gongnon-bench-")) / "pool.sqlite3"
    )

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from deliberation.core.models import Deliberation  # noqa: E402
from deliberation.forum.allocation import allocate, encode  # noqa: E402
from panels import actions as panel_actions  # noqa: E402
from panels import selectors as panel_selectors  # noqa: E402
from panels.demo import APPROXIMATE_SEOUL_MARGINS, seed_margins, seed_regions  # noqa: E402
from panels.models import Volunteer, VolunteerContact  # noqa: E402
from panels.pool_file import check_pool_rows, read_table  # noqa: E402

SEED = 2021
TARGET_IMPORT, TARGET_ALLOCATION = 60.0, 5.0


def synthetic_file(n: int, rng: np.random.Generator) -> bytes:
    """A pool file as a recruiter sends it: contacts and the three strata, shares as Seoul's."""
    columns = {
        feature: rng.choice(
            list(shares), size=n, p=np.array(list(shares.values())) / sum(shares.values())
        )
        for feature, shares in APPROXIMATE_SEOUL_MARGINS.items()
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "email", "phone", *columns])
    for i in range(n):
        writer.writerow(
            [
                f"R{i:06d}",
                f"시민 {i}",
                f"citizen{i}@example.org",
                f"010-{i // 10000:04d}-{i % 10000:04d}",
                *(str(columns[f][i]) for f in columns),
            ]
        )
    return out.getvalue().encode("utf-8")


def reference_insert(table: list[list[str]]) -> float:
    """The same rows into a scratch table with plain multi-row INSERTs: no models, no checks."""
    rows = table[1:]
    width = len(rows[0])
    values = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_reference_pool ("
            + ", ".join(f"c{k} varchar(200)" for k in range(width))
            + ")"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            cursor.execute(
                "INSERT INTO bench_reference_pool VALUES " + ", ".join([values] * len(part)),
                [cell for row in part for cell in row],
            )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_reference_pool")
    return seconds


def timed(name: str, reference: float, function):
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    print(f"  {name:<62} {seconds:7.2f} s  {seconds / reference:6.2f} x reference", flush=True)
    return result, seconds


def check(deliberation: Deliberation, data: bytes):
    table = read_table("pool.csv", data)
    ids, emails, phones = panel_selectors.contact_keys(deliberation)
    return check_pool_rows(
        table,
        panel_selectors.allowed_values(deliberation),
        existing_ids=ids,
        existing_emails=emails,
        existing_phones=phones,
    )


def allocation(n_people: int, n_groups: int, rng: np.random.Generator) -> float:
    columns = [
        rng.choice(
            list(shares), size=n_people, p=np.array(list(shares.values())) / sum(shares.values())
        ).tolist()
        for shares in APPROXIMATE_SEOUL_MARGINS.values()
    ]
    codes = encode(columns)
    started = time.perf_counter()
    allocate(codes, n_groups, seed=SEED)
    return time.perf_counter() - started


def explain_pool_queries(deliberation: Deliberation, rows: int) -> None:
    """The plans of what the pool page and a new import read, over the whole pool."""
    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    if connection.vendor == "postgresql":
        # As autovacuum's ANALYZE does soon after an import: the planner's row counts.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE panels_volunteer, panels_volunteercontact")
    volunteers = Volunteer.objects.filter(deliberation=deliberation)
    contacts = VolunteerContact.objects.filter(volunteer__deliberation=deliberation)
    queries = {
        "pool page, last page of 100 volunteers": volunteers.order_by("external_id").only(
            "deliberation_id", "external_id", "source", "features", "status"
        )[rows - 100 : rows],
        "pool page, available volunteers per region": volunteers.filter(
            status=Volunteer.Status.AVAILABLE
        )
        .values_list("features__region")
        .annotate(n=Count("id"))
        .order_by(),
        "import, the e-mail keys already in the pool": contacts.exclude(email_key="").values_list(
            "email_key", flat=True
        ),
    }
    for label, queryset in queries.items():
        print(f"\n  EXPLAIN {label}:")
        for line in queryset.explain(**options).splitlines():
            print(f"    {line}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true", help="print the pool page's plans")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"Pool of {args.rows:,} on {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"migrate (not counted) {time.perf_counter() - started:.1f} s"
    )
    if Deliberation.objects.exists():
        raise SystemExit("The database is not empty: run the benchmark on a fresh database.")
    deliberation = Deliberation.objects.create(slug="bench-pool", title="자원자 풀 벤치마크 (합성)")
    seed_regions(deliberation)
    seed_margins(deliberation)
    data = synthetic_file(args.rows, rng)
    reference = reference_insert(read_table("pool.csv", data))
    print(f"  reference: plain bulk insert of the {args.rows:,} rows: {reference:.2f} s\n")

    first, t_check = timed(
        "pool file: read and check every row, duplicates included",
        reference,
        lambda: check(deliberation, data),
    )
    assert first.ok, first.issues[:3]
    added, t_write = timed(
        "pool file: write volunteers and contacts (do_import_pool)",
        reference,
        lambda: panel_actions.do_import_pool(deliberation, first, actor=None),
    )
    assert added == args.rows == Volunteer.objects.filter(deliberation=deliberation).count()
    total = t_check + t_write
    verdict = "met" if total < TARGET_IMPORT else "NOT MET"
    print(
        f"  target: import of {args.rows:,} under {TARGET_IMPORT:.0f} s: {total:.2f} s, {verdict}"
    )
    again, _ = timed(
        "the same file again: every row a duplicate, nothing written",
        reference,
        lambda: check(deliberation, data),
    )
    assert not again.ok and len(again.issues) >= args.rows
    print(
        f"    -> {len(again.issues):,} problems reported; pool still {Volunteer.objects.count():,}"
    )

    if args.explain:
        explain_pool_queries(deliberation, args.rows)

    small = allocation(300, 30, rng)
    large = allocation(1000, 100, rng)
    verdict = "met" if large < TARGET_ALLOCATION else "NOT MET"
    print(
        f"\n  group allocation: 300 into 30 groups {small:.2f} s; 1,000 into 100 groups "
        f"{large:.2f} s ({large / small:.1f} x); target under {TARGET_ALLOCATION:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
