"""Rendering the report PDF in a background worker: the task updates a ReportRender row.

WeasyPrint takes seconds on a large report; the web process answers at once and the page
polls the row's status and progress until the file is ready. A render whose worker died is
rendered again from the start by another worker (deliberation/core/background.py); a
cancelled render stops at its next progress step.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django_tasks import task

from deliberation.report.analysis import analyse
from deliberation.report.models import ReportRender
from deliberation.report.pdf import render_pdf
from deliberation.report.selectors import build_report_data

logger = logging.getLogger(__name__)


class RenderStopped(Exception):
    """The render was cancelled while it was being made."""


def _set(render_id: int, **fields) -> None:
    """Record progress while the render is running; stop when it no longer is."""
    if not ReportRender.objects.filter(pk=render_id, status=ReportRender.Status.RUNNING).update(
        **fields
    ):
        raise RenderStopped


def run_render(render_id: int) -> None:
    """Make the PDF for one queued render; record progress, the file or the error."""
    claimed = ReportRender.objects.filter(
        pk=render_id, status__in=[ReportRender.Status.QUEUED, ReportRender.Status.RUNNING]
    ).update(status=ReportRender.Status.RUNNING, progress=5, error="")
    if not claimed:
        return
    render = ReportRender.objects.select_related("deliberation").get(pk=render_id)
    try:
        with translation.override(render.language):
            data = build_report_data(render.deliberation)
            _set(render_id, progress=15)
            pdf = render_pdf(analyse(data), progress=lambda p: _set(render_id, progress=p))
        name = f"{render.deliberation.slug}-report-{render_id}.pdf"
        render.file.save(name, ContentFile(pdf), save=False)
        try:
            _set(
                render_id,
                file=render.file.name,
                status=ReportRender.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
            )
        except RenderStopped:
            render.file.delete(save=False)
            raise
    except RenderStopped:
        logger.info("report render %s stopped: it is no longer running", render_id)
    except Exception as exc:
        logger.exception("report render %s failed", render_id)
        ReportRender.objects.filter(pk=render_id, status=ReportRender.Status.RUNNING).update(
            status=ReportRender.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:500],
            finished_at=timezone.now(),
        )


@task()
def render_report_pdf(render_id: int) -> None:
    """The queued task of a report render."""
    run_render(render_id)
