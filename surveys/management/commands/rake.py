import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deliberation.core.cells import safe_row
from deliberation.core.file_limits import LOCAL_FILES
from surveys import weighting
from surveys.poll_files import PollFileError, read_csv


class Command(BaseCommand):
    help = (
        "Rake respondents to population margins. FILE has one row per respondent (the first "
        "column is the respondent id); MARGINS has columns variable,category,share with the "
        "shares of each variable summing to 1. Writes FILE plus a weight column (mean 1)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data", type=Path, required=True, metavar="FILE.csv")
        parser.add_argument("--margins", type=Path, required=True, metavar="MARGINS.csv")
        parser.add_argument("--out", type=Path, required=True, metavar="OUT.csv")
        parser.add_argument(
            "--cap", type=float, help="Trim weights to at most CAP times the mean (e.g. 5)."
        )
        parser.add_argument("--max-iter", type=int, default=1000)

    def handle(self, *args, data, margins, out, cap, max_iter, **options) -> None:
        table = self._read_data(Path(data))
        shares = self._read_margins(Path(margins), table.columns)
        columns = {name: [row[table.columns.index(name)] for row in table.rows] for name in shares}
        try:
            result = weighting.rake(columns, shares, cap=cap, max_iter=max_iter)
        except weighting.ConvergenceError as exc:
            raise CommandError(f"raking did not converge: {exc}") from None
        except weighting.WeightingError as exc:
            raise CommandError(str(exc)) from None
        self._write(Path(out), table, result.weights)
        self._report(result, len(table.rows), Path(out))

    def _read_data(self, path: Path):
        try:
            table = read_csv(path.read_bytes(), LOCAL_FILES)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        except PollFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        if not table.rows:
            raise CommandError(f"{path}: there are no respondents")
        if "weight" in table.columns:
            raise CommandError(f"{path}: already has a weight column")
        seen: dict[str, int] = {}
        for number, row in enumerate(table.rows, start=2):
            respondent = row[0]
            if not respondent:
                raise CommandError(f"{path}, line {number}: the respondent id is empty")
            if respondent in seen:
                raise CommandError(
                    f"{path}, line {number}: respondent id {respondent!r} repeats line "
                    f"{seen[respondent]}"
                )
            seen[respondent] = number
        return table

    def _read_margins(self, path: Path, columns: list[str]) -> dict[str, dict[str, float]]:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: is not UTF-8 text") from None
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or {"variable", "category", "share"} - set(reader.fieldnames):
            raise CommandError(f"{path}: needs the columns variable,category,share")
        shares: dict[str, dict[str, float]] = {}
        for number, row in enumerate(reader, start=2):
            variable, category = (row["variable"] or "").strip(), (row["category"] or "").strip()
            if variable not in columns[1:]:
                raise CommandError(
                    f"{path}, line {number}: {variable!r} is not a column of the data file"
                )
            try:
                share = float(row["share"])
            except (TypeError, ValueError):
                raise CommandError(
                    f"{path}, line {number}: share {row['share']!r} is not a number"
                ) from None
            if category in shares.setdefault(variable, {}):
                raise CommandError(f"{path}, line {number}: {variable}={category} repeats")
            shares[variable][category] = share
        if not shares:
            raise CommandError(f"{path}: has no margins")
        return shares

    def _write(self, path: Path, table, weights) -> None:
        try:
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(safe_row([*table.columns, "weight"]))
                for row, weight in zip(table.rows, weights, strict=True):
                    writer.writerow(safe_row([*row, f"{weight:.10g}"]))
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None

    def _report(self, result, n: int, out: Path) -> None:
        state = "converged" if result.converged else "did not converge"
        self.stdout.write(
            f"Raking {state} after {result.iterations} iterations "
            f"(largest margin error {result.max_margin_error:.2e})."
        )
        for variable, errors in result.margin_errors.items():
            worst = max(errors.values()) if errors else 0.0
            self.stdout.write(f"  {variable}: largest error {worst:.2e}")
        trimming = result.trimming
        if trimming.cap is not None:
            self.stdout.write(
                f"Cap {trimming.cap:g} x mean: {trimming.n_trimmed} respondents trimmed "
                f"(largest weight before trimming {trimming.max_weight_untrimmed:.3f})."
            )
        self.stdout.write(
            f"Weights: min {result.weights.min():.3f}, max {result.weights.max():.3f}, mean 1."
        )
        self.stdout.write(f"Design effect (Kish): {result.design_effect:.4f}")
        self.stdout.write(f"Effective sample size: {result.effective_n:.1f} of {n}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {out}"))
