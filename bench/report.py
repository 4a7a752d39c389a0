"""Benchmark: the report's analysis (JSON) and PDF for a full-size synthetic deliberation.

300 panelists x 4 waves x 60 items (binary, ordinal, nominal, interval, knowledge) plus a
1,000-respondent poll raked to region/gender/age margins. Same code path as the report
page, the CLI and ``deliberation_report``. ``--scale`` runs the design's upper column
instead: 1,000 panelists x 6 waves x 60 items plus a 100,000-respondent poll (targets:
JSON under 5 s, PDF under 30 s). Run by hand:

    DJANGO_SETTINGS_MODULE=config.settings python bench/report.py [--scale]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from deliberation.report.analysis import analyse  # noqa: E402
from deliberation.report.analysis_json import render_json  # noqa: E402
from deliberation.report.data import ProcessSummary, RecommendationRow, ReportData  # noqa: E402
from deliberation.report.pdf import render_pdf  # noqa: E402
from panels.representativeness import composition_fit  # noqa: E402
from surveys.answer_sets import PollResults, WaveData, poll_question  # noqa: E402
from surveys.wave_files import ItemSpec, LongAnswers  # noqa: E402
from surveys.weighting import rake  # noqa: E402

PANEL, WAVES, ITEMS, POLL, GROUPS = 300, 4, 60, 1000, 30
TARGET_JSON, TARGET_PDF = 2.0, 15.0
MARGINS = {
    "region": {"도심권": 0.05, "동북권": 0.315, "서북권": 0.12, "서남권": 0.317, "동남권": 0.198},
    "gender": {"남성": 0.485, "여성": 0.515},
    "age_band": {"18-29": 0.18, "30-39": 0.17, "40-49": 0.165, "50-59": 0.17, "60+": 0.315},
}
KINDS = ("binary", "ordinal", "nominal", "interval", "knowledge")


def synthetic_waves(rng: np.random.Generator) -> WaveData:
    specs = {}
    for k in range(ITEMS):
        kind = KINDS[k % len(KINDS)]
        name = f"q{k + 1:02d}"
        specs[name] = ItemSpec(
            name,
            kind,
            correct=2.0 if kind == "knowledge" else None,
            label=f"문항 {k + 1} ({kind})",
            value_labels={1.0: "전혀", 2.0: "별로", 3.0: "보통", 4.0: "조금", 5.0: "매우"}
            if kind == "ordinal"
            else {},
        )
    waves = [f"W{w + 1}" for w in range(WAVES)]
    base = {
        "binary": lambda n: (rng.random(n) < 0.4).astype(float),
        "ordinal": lambda n: rng.integers(1, 6, n).astype(float),
        "nominal": lambda n: rng.integers(1, 5, n).astype(float),
        "interval": lambda n: rng.normal(50, 15, n).round(),
        "knowledge": lambda n: rng.integers(1, 4, n).astype(float),
    }
    ids, wave_col, item_col, values = [], [], [], []
    people = [f"P{p:04d}" for p in range(PANEL)]
    for name, spec in specs.items():
        current = base[spec.type](PANEL)
        for w in waves:
            if w != waves[0]:
                change = rng.random(PANEL) < 0.2
                current = np.where(change, base[spec.type](PANEL), current)
            present = rng.random(PANEL) > 0.05  # attrition and skipped questions
            ids += [p for p, keep in zip(people, present, strict=True) if keep]
            wave_col += [w] * int(present.sum())
            item_col += [name] * int(present.sum())
            values.append(current[present])
    answers = LongAnswers(ids, wave_col, item_col, np.concatenate(values))
    return WaveData(answers, specs, tuple(waves))


def synthetic_poll(rng: np.random.Generator) -> PollResults:
    data = {
        feature: rng.choice(list(shares), size=POLL, p=[0.25, 0.25, 0.2, 0.15, 0.15][: len(shares)])
        if len(shares) == 5
        else rng.choice(list(shares), size=POLL)
        for feature, shares in MARGINS.items()
    }
    result = rake(data, MARGINS)
    questions = tuple(
        poll_question(
            f"여론조사 문항 {k + 1}",
            rng.choice(["찬성", "반대", "모름"], size=POLL, p=[0.45, 0.4, 0.15]).tolist(),
            result.weights,
            order=["찬성", "반대", "모름"],
        )
        for k in range(10)
    )
    return PollResults("POLL", POLL, "raking", result.design_effect, result.effective_n, questions)


def build(rng: np.random.Generator) -> ReportData:
    panel = {
        feature: rng.choice(list(s), size=PANEL, p=list(s.values()))
        for feature, s in MARGINS.items()
    }
    return ReportData(
        slug="bench",
        title="벤치마크 공론화",
        agenda="합성 데이터",
        city="서울특별시",
        is_demo=True,
        generated_at=timezone.now(),
        process=ProcessSummary(panel_size=PANEL),
        representativeness=tuple(
            composition_fit(f, MARGINS[f], panel[f].tolist()) for f in MARGINS
        ),
        poll=synthetic_poll(rng),
        waves=synthetic_waves(rng),
        recommendations=tuple(
            RecommendationRow(f"{g:02d}조", f"제언 {g}", support=0.5 + g / 100, votes=150 + g)
            for g in range(1, GROUPS + 1)
        ),
    )


def main() -> None:
    global PANEL, WAVES, POLL, GROUPS, TARGET_JSON, TARGET_PDF
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", action="store_true", help="1,000 x 6 waves + 100,000 poll")
    if parser.parse_args().scale:
        PANEL, WAVES, POLL, GROUPS = 1000, 6, 100_000, 100
        TARGET_JSON, TARGET_PDF = 5.0, 30.0
    rng = np.random.default_rng(2021)
    data = build(rng)
    with translation.override("ko"):
        start = time.perf_counter()
        analysis = analyse(data)
        document = render_json(analysis)
        json_seconds = time.perf_counter() - start

        start = time.perf_counter()
        pdf = render_pdf(analyse(data))
        pdf_seconds = time.perf_counter() - start
    comparisons = len(analysis.waves.comparisons)
    print(
        f"{PANEL} panelists x {WAVES} waves x {ITEMS} items ({len(data.waves.answers):,} answers), "
        f"{POLL} poll respondents; {comparisons} wave comparisons"
    )
    print(f"{'step':<28}{'seconds':>10}{'target':>10}{'ratio':>10}  result")
    for step, seconds, target, size in (
        ("analysis -> JSON", json_seconds, TARGET_JSON, f"{len(document):,} bytes"),
        ("analysis -> PDF", pdf_seconds, TARGET_PDF, f"{len(pdf):,} bytes"),
    ):
        verdict = "met" if seconds < target else "NOT MET"
        print(
            f"{step:<28}{seconds:>10.2f}{target:>10.1f}{seconds / target:>10.2f}  {size} {verdict}"
        )


if __name__ == "__main__":
    main()
