"""The report as an A4 PDF with the Korean font embedded (WeasyPrint)."""

from __future__ import annotations

from deliberation.report.analysis import ReportAnalysis
from deliberation.report.document import Progress, no_progress, render_document
from surveys.fonts import regular_font_path


def render_pdf(analysis: ReportAnalysis, progress: Progress = no_progress) -> bytes:
    """A4 PDF with the Korean font embedded."""
    from weasyprint import HTML

    html = render_document(analysis, progress)
    progress(60)
    pdf = HTML(string=html, base_url=str(regular_font_path().parent)).write_pdf()
    progress(95)
    return pdf
