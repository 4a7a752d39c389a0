import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deliberation.core.uploads import upload_limits
from surveys import actions, imports
from surveys.models import Wave
from surveys.poll_files import PollFileError, read_table
from surveys.questionnaires import questions_of, specs_of


class Command(BaseCommand):
    help = (
        "Import a polling firm's data file (CSV, XLSX or SPSS .sav) into a wave. Every row "
        "is checked first; nothing is imported while any row is invalid unless "
        "--skip-invalid is given. Respondent ids already in the wave are not imported again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("wave_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            type=Path,
            help="CSV with columns column,target (a question item such as Q5 or Q5_1, or "
            "respondent_id, region, district, gender, birth_year, age_band, "
            "duration_seconds). Without it, columns named like a target are mapped to it.",
        )
        parser.add_argument("--skip-invalid", action="store_true")

    def handle(self, *args, wave_id: int, file: Path, mapping: Path | None, **options) -> None:
        file = Path(file)
        mapping = Path(mapping) if mapping else None
        wave = Wave.objects.select_related("questionnaire").filter(pk=wave_id).first()
        if wave is None:
            raise CommandError(f"there is no wave with id {wave_id}")
        try:
            table = read_table(file.name, file.read_bytes(), upload_limits())
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except PollFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if mapping is None:
            items = [i for s in specs_of(questions_of(wave.questionnaire)) for i in s.item_codes()]
            chosen = imports.suggest_mapping(table.columns, items)
        else:
            chosen = self._read_mapping(mapping, table.columns)
        problems = imports.mapping_problems(wave, chosen)
        if problems:
            raise CommandError("the mapping is not usable: " + "; ".join(problems))
        validation, index = imports.validate(wave, table, chosen)
        report = imports.report(validation)
        self.stdout.write(
            f"{report['total_rows']} rows: {report['good_rows']} valid, "
            f"{report['bad_rows']} invalid"
        )
        for row, column, value, reason in report["cells"]:
            self.stdout.write(f"  row {row}, column {column}, value {value!r}: {reason}")
        try:
            result = actions.do_import_poll(
                wave, validation, index, skip_invalid=options["skip_invalid"]
            )
        except actions.ImportRefused:
            raise CommandError(
                f"nothing imported: {report['bad_rows']} rows are invalid "
                "(correct them, or pass --skip-invalid to skip them)"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"imported {result.created} respondents; {result.already_present} already "
                f"present; {result.skipped_invalid} invalid rows skipped"
            )
        )

    def _read_mapping(self, path: Path, columns: list[str]) -> dict[str, str]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                if not reader.fieldnames or {"column", "target"} - set(reader.fieldnames):
                    raise CommandError(f"{path}: needs the columns column,target")
                chosen = {row["column"].strip(): (row["target"] or "").strip() for row in reader}
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        unknown = sorted(set(chosen) - set(columns))
        if unknown:
            raise CommandError(f"{path}: the data file has no column(s) {unknown}")
        return {column: chosen.get(column, "") for column in columns}
