"""Select a panel from Sortition Foundation CSV files, without the database."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from panels import lottery as lottery_core
from panels import selection
from panels.reserves import draw_reserves


class Command(BaseCommand):
    help = (
        "Select a panel by LEXIMIN and a transparent lottery. CATEGORIES is feature,value,min,max "
        "(or the paper's category,feature,min,max); PEOPLE has an id column and one column per "
        "feature. Same inputs and seed give the same panel."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--people", required=True, help="volunteers CSV")
        parser.add_argument("--categories", required=True, help="quotas CSV")
        parser.add_argument("--size", required=True, type=int, help="panel size")
        parser.add_argument("--seed", required=True, type=int, help="public random number")
        parser.add_argument("--out", required=True, help="result JSON file")
        parser.add_argument(
            "--id-column",
            default="id",
            help="id column of PEOPLE; when the file has none, the row number is the id",
        )
        parser.add_argument("--lottery-size", type=int, default=1000, help="panels in the lottery")
        parser.add_argument(
            "--reserves",
            type=int,
            default=0,
            help="also draw this many reserves, in order, with the same public number",
        )

    def handle(self, *args, **o) -> None:
        if o["seed"] < 0:
            raise CommandError("--seed must be a non-negative whole number.")
        if o["reserves"] < 0:
            raise CommandError("--reserves must be a non-negative whole number.")
        categories_text = self._read(o["categories"])
        people_text = self._read(o["people"])
        try:
            quotas = selection.parse_categories(categories_text)
            header = people_text.lstrip("\ufeff").splitlines()[0] if people_text.strip() else ""
            id_column = o["id_column"] if o["id_column"] in _cells(header) else None
            people = selection.parse_people(people_text, quotas, id_column=id_column)
            problem = selection.Problem.from_people(people, quotas, o["size"])
        except selection.SelectionInputError as exc:
            raise CommandError(str(exc)) from None
        report = selection.check_feasibility(problem)
        if not report.feasible:
            for line in report.messages:
                self.stderr.write(line)
            raise CommandError("The quotas cannot be met.")
        result = selection.leximin(problem, seed=o["seed"])
        lottery = lottery_core.round_to_lottery(result, m=o["lottery_size"])
        panel = lottery_core.draw(lottery, o["seed"])
        reserves = draw_reserves(problem, panel, o["seed"], o["reserves"])
        out = {
            "selected": panel,
            "reserves": list(reserves.order),
            "probabilities": result.person_probabilities,
            "algorithm": f"{result.algorithm}/{result.version}",
            "seed": o["seed"],
            "min_probability": result.min_probability,
            "max_probability": result.max_probability,
            "gini": result.gini,
            "lottery_size": lottery.size,
            "lottery_min_probability": lottery.min_probability,
            "inputs_digest": selection.inputs_digest(problem),
            "id_column": id_column or "(row number)",
        }
        Path(o["out"]).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(
            f"Selected {len(panel)} of {problem.pool_size}; smallest probability "
            f"{result.min_probability:.4f}, largest {result.max_probability:.4f}."
        )
        if o["reserves"]:
            self.stdout.write(f"{len(reserves.order)} reserves, in order.")
        if o["reserves"] and reserves.uncovered:
            self.stderr.write(
                f"{len(reserves.uncovered)} types on the panel have no reserve who could take "
                f"their place; at least {reserves.covering} reserves cover every drop-out."
            )

    def _read(self, path: str) -> str:
        try:
            return Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None


def _cells(header: str) -> list[str]:
    return [c.strip() for c in header.split(",")]
