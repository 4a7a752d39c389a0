"""Benchmark: Gongnon LEXIMIN vs sortition-algorithms (maximin, nash) on synthetic pools.

Run by hand from the repository root: python bench/selection.py [--quick | --korean | --scale]

--scale runs the design's upper column: a panel of 1,000 from a pool of 100,000, by 3
features (target: LEXIMIN and the lottery under 10 s) and by 6 (under 120 s).

--exact runs the exact fallback (column generation with MILP pricing) on a tight 6-feature
case of hundreds of types, once adding one column per pricing MILP (the reference) and once
adding the improving one-swap neighbours of each priced panel and the panels of a few MILPs
on perturbed duals too; both must give the same probabilities.

--korean runs only the Korean-sized case: 6,000 volunteers, a panel of 550 (over-recruited)
by region x gender x age x opinion (quotas +/- 5%), with 50 reserves drawn by the public number.

Ours: LEXIMIN of the LP relaxation, decomposed into integer panels (exact when that succeeds;
column generation with MILP pricing otherwise), then rounded to a uniform lottery of M panels.
"LP", "MILP" and "columns" count the relaxation LPs, MILPs of any kind, and panels generated.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from panels.lottery import draw, round_to_lottery  # noqa: E402
from panels.reserves import draw_reserves  # noqa: E402
from panels.selection import (  # noqa: E402
    EXTRA_COLUMNS,
    EXTRA_MILPS,
    Problem,
    _column_generation,
    leximin,
    quotas_from_shares,
)

SEED = 20211
PANEL = 300
M = 1000
THEIR_TIMEOUT = 45.0
OUR_TIMEOUT = 60.0

SHARES = {
    "region": {"도심권": 0.05, "동북권": 0.32, "서북권": 0.12, "서남권": 0.31, "동남권": 0.20},
    "gender": {"male": 0.49, "female": 0.51},
    "age": {"18-29": 0.19, "30-39": 0.17, "40-49": 0.18, "50-59": 0.18, "60+": 0.28},
    "tenure": {"owner": 0.43, "renter": 0.45, "other": 0.12},
    "education": {"primary": 0.10, "secondary": 0.38, "college": 0.42, "graduate": 0.10},
    "opinion": {"support": 0.35, "oppose": 0.30, "undecided": 0.35},
}
# Volunteers differ from the population: the old and the educated volunteer more.
SKEW = {"age": [0.6, 0.8, 1.0, 1.2, 1.4], "education": [0.5, 0.9, 1.2, 1.6]}
THREE = ["region", "gender", "age"]
SIX = THREE + ["tenure", "education", "opinion"]
KOREAN = THREE + ["opinion"]
KOREAN_POOL, KOREAN_PANEL, KOREAN_RESERVES = 6000, 550, 50
PUBLIC_NUMBER = 20171020


def make_pool(n: int, features: list[str], seed: int) -> list[dict[str, str]]:
    """A volunteer pool skewed against the population; few young men in 도심권."""
    rng = np.random.default_rng(seed)
    cols = {}
    for f in features:
        p = np.array(list(SHARES[f].values())) * np.array(SKEW.get(f, 1.0))
        cols[f] = rng.choice(len(p), size=n, p=p / p.sum())
    young_men_centre = (cols["region"] == 0) & (cols["gender"] == 0) & (cols["age"] == 0)
    cols["region"][young_men_centre & (rng.random(n) < 0.85)] = 1
    names = {f: list(SHARES[f]) for f in features}
    return [{"id": f"p{i:06d}", **{f: names[f][cols[f][i]] for f in features}} for i in range(n)]


def theirs(people, quotas, algorithm: str, queue, panel: int = PANEL) -> None:
    """Run sortition-algorithms in a child process and report (min probability, seconds)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the reference solver prints banners and progress
    os.dup2(devnull, 2)
    try:
        from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
        from sortition_algorithms.committee_generation.nash import find_distribution_nash
        from sortition_algorithms.features import read_in_features
        from sortition_algorithms.people import read_in_people
        from sortition_algorithms.settings import Settings

        rows = [
            {"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)}
            for q in quotas
        ]
        features, _, _ = read_in_features(["feature", "value", "min", "max"], rows, panel)
        settings = Settings(id_column="id", columns_to_keep=[])
        head = list(people[0])
        pool, _ = read_in_people(head, people, features, settings)
        find = find_distribution_maximin if algorithm == "maximin" else find_distribution_nash
        started = time.perf_counter()
        committees, probs, _ = find(features, pool, panel, [], "highspy")
        seconds = time.perf_counter() - started
        marg = dict.fromkeys((p["id"] for p in people), 0.0)
        for committee, prob in zip(committees, probs, strict=True):
            for pid in committee:
                marg[pid] += prob
        queue.put(("ok", min(marg.values()), seconds))
    except Exception as exc:  # report any failure of the reference instead of crashing
        queue.put(("error", f"{type(exc).__name__}: {exc}"[:120], 0.0))


def run_theirs(people, quotas, algorithm: str, panel: int = PANEL) -> tuple[str, float, float]:
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(
        target=theirs, args=(people, quotas, algorithm, queue, panel)
    )
    proc.start()
    proc.join(THEIR_TIMEOUT)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return ("timeout", float("nan"), THEIR_TIMEOUT)
    return queue.get() if not queue.empty() else ("error", float("nan"), 0.0)


def bench_case(
    n: int,
    features: list[str],
    panel: int = PANEL,
    target: float | None = None,
    theirs_too: bool = True,
) -> None:
    people = make_pool(n, features, SEED + n)
    quotas = quotas_from_shares({f: SHARES[f] for f in features}, panel, tolerance=0.05)
    problem = Problem.from_people(people, quotas, panel)
    label = f"pool {n:>6,} | {len(features)} features | {len(problem.profiles):>4} profiles"
    print(f"\n== {label} | panel {panel} | equal share {panel / n:.5f}")
    time_limit = max(OUR_TIMEOUT, 1.5 * target) if target else OUR_TIMEOUT
    started = time.perf_counter()
    try:
        result = leximin(problem, seed=SEED, time_limit=time_limit)
    except TimeoutError:
        print(f"  ours   LEXIMIN : timeout after {time_limit:.0f} s")
        if target:
            print(f"  target LEXIMIN + lottery under {target:.0f} s: NOT MET")
        ours_min = float("nan")
    else:
        ours_min = result.min_probability
        s = result.stats
        print(
            f"  ours   LEXIMIN : min {ours_min:.6f}  max {result.max_probability:.6f}  "
            f"gini {result.gini:.4f}  time {s.seconds:7.2f} s  "
            f"(levels {s.levels}, LPs {s.lp_solves}, MILPs {s.pricing_solves}, "
            f"columns {s.columns}, support {len(result.panels)})"
        )
        lottery_started = time.perf_counter()
        lottery = round_to_lottery(result, m=M, time_limit=5.0)
        ok = lottery.min_probability >= ours_min - 1 / M
        print(
            f"  ours   lottery : M={M} min {lottery.min_probability:.6f}  "
            f"max dev {lottery.max_deviation:.6f}  "
            f"min_lottery >= min - 1/M: {'OK' if ok else 'FAIL'}  "
            f"time {time.perf_counter() - lottery_started:.2f} s"
        )
        if target:
            total = time.perf_counter() - started
            verdict = "met" if total < target else "NOT MET"
            print(f"  target LEXIMIN + lottery under {target:.0f} s: {total:.2f} s, {verdict}")
    if not theirs_too:
        return
    for algorithm in ("maximin", "nash"):
        status, their_min, seconds = run_theirs(people, quotas, algorithm)
        if status == "ok":
            ratio = ours_min / their_min if their_min > 0 else float("inf")
            print(
                f"  sortition-algorithms {algorithm:<7}: min {their_min:.6f}  "
                f"time {seconds:7.2f} s  ours/theirs min ratio {ratio:.4f}"
            )
        elif status == "timeout":
            print(f"  sortition-algorithms {algorithm:<7}: timeout (> {THEIR_TIMEOUT:.0f} s)")
        else:
            print(f"  sortition-algorithms {algorithm:<7}: could not run: {their_min}")


def bench_exact_case(n: int = 300, panel: int = 20, limit: float = 180.0) -> None:
    people = make_pool(n, SIX, SEED + n)
    quotas = quotas_from_shares({f: SHARES[f] for f in SIX}, panel, tolerance=0.03)
    problem = Problem.from_people(people, quotas, panel)
    print(
        f"\n== exact fallback | pool {n} | 6 features | {len(problem.profiles)} profiles | "
        f"panel {panel} | quotas +/- 3%"
    )
    seconds = {}
    probabilities = {}
    several = f"+ {EXTRA_MILPS} MILPs, {EXTRA_COLUMNS} swaps"
    for label, extra in (("one column per MILP", 0), (several, None)):
        started = time.perf_counter()

        def check_time(started=started) -> None:
            if time.perf_counter() - started > limit:
                raise TimeoutError

        kwargs = {} if extra is None else {"extra_columns": extra, "extra_milps": extra}
        try:
            result = _column_generation(
                problem, np.random.default_rng(SEED), [], 12, check_time, started, 0, 0, **kwargs
            )
        except TimeoutError:
            seconds[label] = float("inf")
            print(f"  {label:<24}: timeout after {limit:.0f} s")
            continue
        s = result.stats
        seconds[label] = s.seconds
        probabilities[label] = result.type_probabilities
        print(
            f"  {label:<24}: min {result.min_probability:.6f}  time {s.seconds:7.2f} s  "
            f"(levels {s.levels}, LPs {s.lp_solves}, MILPs {s.pricing_solves}, "
            f"columns {s.columns})"
        )
    reference, ours = seconds.values()
    print(f"  reference / several columns: {reference / ours:.2f}x" if ours else "")
    if len(probabilities) == 2:
        first, second = probabilities.values()
        diff = float(np.abs(first - second).max())
        print(f"  max probability difference: {diff:.1e} ({'OK' if diff <= 1e-7 else 'FAIL'})")
    verdict = "met" if ours < 60 else "NOT MET"
    print(f"  target exact fallback under 60 s: {ours:.2f} s, {verdict}")


def bench_reserves_case() -> None:
    """6,000 volunteers, 550 drawn, 50 reserves: LEXIMIN, lottery and reserves, timed."""
    n, k, features = KOREAN_POOL, KOREAN_PANEL, KOREAN
    people = make_pool(n, features, SEED + n)
    quotas = quotas_from_shares({f: SHARES[f] for f in features}, k, tolerance=0.05)
    problem = Problem.from_people(people, quotas, k)
    print(
        f"\n== pool {n:,} | {' x '.join(features)} | {len(problem.profiles)} profiles | "
        f"panel {k} | {KOREAN_RESERVES} reserves | equal share {k / n:.5f}"
    )
    started = time.perf_counter()
    result = leximin(problem, seed=SEED, time_limit=OUR_TIMEOUT)
    t_leximin = time.perf_counter() - started
    started = time.perf_counter()
    lottery = round_to_lottery(result, m=M, time_limit=5.0)
    t_lottery = time.perf_counter() - started
    started = time.perf_counter()
    panel = draw(lottery, PUBLIC_NUMBER)
    reserves = draw_reserves(problem, panel, PUBLIC_NUMBER, KOREAN_RESERVES)
    t_reserves = time.perf_counter() - started
    bound = result.min_probability - 1 / M
    ok = lottery.min_probability >= bound - 1e-12
    total = t_leximin + t_lottery + t_reserves
    print(
        f"  ours   LEXIMIN : min {result.min_probability:.6f}  max {result.max_probability:.6f}  "
        f"time {t_leximin:7.2f} s  (support {len(result.panels)})"
    )
    print(
        f"  ours   lottery : M={M} min {lottery.min_probability:.6f} vs LEXIMIN min - 1/M "
        f"{bound:.6f}: {'OK' if ok else 'FAIL'}  time {t_lottery:.2f} s"
    )
    print(
        f"  ours   draw + reserves : {len(reserves.order)} reserves (the first "
        f"{reserves.covering} cover every drop-out; uncovered types "
        f"{len(reserves.uncovered)})  time {t_reserves:.2f} s"
    )
    print(
        f"  ours   LEXIMIN + lottery + reserves : {total:.2f} s "
        f"({'under' if total < 10 else 'OVER'} 10 s)"
    )
    status, their_min, seconds = run_theirs(people, quotas, "maximin", panel=k)
    if status == "ok":
        print(f"  sortition-algorithms maximin: min {their_min:.6f}  time {seconds:7.2f} s")
    elif status == "timeout":
        print(f"  sortition-algorithms maximin: timeout (> {THEIR_TIMEOUT:.0f} s)")
    else:
        print(f"  sortition-algorithms maximin: could not run: {their_min}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the 2,000-volunteer pools")
    parser.add_argument("--korean", action="store_true", help="only the 6,000/550/50 case")
    parser.add_argument("--scale", action="store_true", help="only 100,000 -> 1,000")
    parser.add_argument("--exact", action="store_true", help="only the exact fallback")
    args = parser.parse_args()
    if args.exact:
        print(f"seed {SEED}")
        bench_exact_case()
        return
    if args.scale:
        print(f"seed {SEED}; quotas = population share +/- 5% of the panel")
        bench_case(100_000, THREE, panel=1000, target=10.0, theirs_too=False)
        bench_case(100_000, SIX, panel=1000, target=120.0, theirs_too=False)
        return
    if args.korean:
        print(f"seed {SEED}; public number {PUBLIC_NUMBER}")
        bench_reserves_case()
        return
    sizes = [2000] if args.quick else [2000, 5000, 20000]
    print(
        f"seed {SEED}; quotas = population share +/- 5% of the panel; timeouts: ours "
        f"{OUR_TIMEOUT:.0f} s, sortition-algorithms {THEIR_TIMEOUT:.0f} s"
    )
    for features in (THREE, SIX):
        for n in sizes:
            bench_case(n, features)
    bench_reserves_case()


if __name__ == "__main__":
    main()
