"""Compare two survey waves from CSV files (e.g. paper questionnaires keyed in elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pyreadstat import PyreadstatError, ReadstatError

from surveys.analysis import check_wave, compare_waves, comparison_document
from surveys.atomic_files import atomic_outputs
from surveys.sav import write_waves_sav
from surveys.stats import StatsError
from surveys.wave_files import WaveFileError, read_answers, read_items


class Command(BaseCommand):
    help = (
        "Paired tests of every item between two waves: McNemar, Stuart-Maxwell, Wilcoxon or "
        "paired t by item type, Holm-adjusted, plus the knowledge index. Writes JSON "
        "(docs/analysis-schema.md) and optionally the waves in wide format as SPSS .sav. "
        "On any input error nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--answers", required=True, help="CSV: panelist_id,wave,item,value")
        parser.add_argument(
            "--items", required=True, help="CSV: item,type,correct[,label,value_labels]"
        )
        parser.add_argument("--from", dest="wave_a", required=True, help="earlier wave label")
        parser.add_argument("--to", dest="wave_b", required=True, help="later wave label")
        parser.add_argument("--out", required=True, help="JSON file to write")
        parser.add_argument("--sav-out", help="also write all waves in wide format as .sav")

    def handle(self, *args, answers, items, wave_a, wave_b, out, sav_out, **options) -> None:
        try:
            specs = read_items(items)
            long = read_answers(answers, specs)
            check_wave(long, wave_a, "--from wave")
            check_wave(long, wave_b, "--to wave")
            comparison = compare_waves(long, specs, wave_a, wave_b)
            text = json.dumps(
                comparison_document(comparison, specs, long), ensure_ascii=False, indent=2
            )
        except (WaveFileError, StatsError) as exc:
            raise CommandError(str(exc)) from None
        try:
            with atomic_outputs() as outputs:
                outputs.stage(out, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
                if sav_out:
                    outputs.stage(sav_out, lambda tmp: write_waves_sav(long, specs, tmp))
        except (OSError, PyreadstatError, ReadstatError) as exc:
            raise CommandError(f"cannot write output: {exc}") from None
        tested = sum(1 for r in comparison.items if r.test is not None)
        self.stdout.write(
            f"{wave_a} -> {wave_b}: {len(comparison.items)} items, {tested} tested; "
            f"wrote {Path(out)}" + (f" and {Path(sav_out)}" if sav_out else "")
        )
