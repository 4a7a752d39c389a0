"""Write a deliberation's policy-recommendation report as HTML, PDF, JSON or XLSX."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from deliberation.core.models import Deliberation
from deliberation.report.analysis import analyse
from deliberation.report.analysis_json import render_json
from deliberation.report.document import render_document
from deliberation.report.pdf import render_pdf
from deliberation.report.selectors import build_report_data
from deliberation.report.workbook import render_xlsx
from surveys.atomic_files import atomic_outputs

FORMATS = ("html", "pdf", "json", "xlsx")


class Command(BaseCommand):
    help = (
        "Write the report of deliberation SLUG: html (printable document), pdf (A4, Korean "
        "font embedded), json (docs/analysis-schema.md) or xlsx (a sheet per analysis)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--language", default="ko", help="report language (default: ko)")

    def handle(self, *args, slug: str, format: str, out: str, language: str, **options) -> None:
        try:
            deliberation = Deliberation.objects.get(slug=slug)
        except Deliberation.DoesNotExist:
            raise CommandError(f"no deliberation with slug {slug!r}") from None
        with translation.override(language):
            analysis = analyse(build_report_data(deliberation))
            if format == "html":
                content = render_document(analysis).encode("utf-8")
            elif format == "pdf":
                content = render_pdf(analysis)
            elif format == "json":
                content = render_json(analysis)
            else:
                content = render_xlsx(analysis)
        try:
            with atomic_outputs() as outputs:
                outputs.stage(out, lambda tmp: tmp.write_bytes(content))
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from None
        self.stdout.write(f"wrote {out} ({len(content):,} bytes)")
