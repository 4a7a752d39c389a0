from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import exports
from surveys.datasets import wave_dataset
from surveys.models import Wave


class Command(BaseCommand):
    help = (
        "Write a wave's complete responses (pseudonymous ids, no contact data) as CSV, XLSX, "
        "SPSS .sav or Stata .dta with labels, or its codebook."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("wave_id", type=int)
        parser.add_argument("--format", dest="fmt", choices=exports.FORMATS, required=True)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, wave_id: int, fmt: str, out: Path, **options) -> None:
        wave = Wave.objects.select_related("deliberation", "questionnaire").filter(pk=wave_id)
        wave = wave.first()
        if wave is None:
            raise CommandError(f"there is no wave with id {wave_id}")
        dataset = wave_dataset(wave)
        try:
            Path(out).write_bytes(exports.write(dataset, fmt))
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {len(dataset.rows)} respondents x {len(dataset.variables)} variables "
                f"to {out}"
            )
        )
