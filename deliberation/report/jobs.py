"""Rendering the report PDF outside the request: a worker thread updates a ReportRender row.

WeasyPrint takes seconds on a large report; the web process answers at once and the page
polls the row's status and progress until the file is ready.
"""

from __future__ import annotations

import datetime
import logging
import threading

from django.core.files.base import ContentFile
from django.db import close_old_connections, connections
from django.utils import timezone, translation

from deliberation.report.analysis import analyse
from deliberation.report.models import ReportRender
from deliberation.report.pdf import render_pdf
from deliberation.report.selectors import build_report_data

logger = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(minutes=15)


def _set(render_id: int, **fields) -> None:
    ReportRender.objects.filter(pk=render_id).update(**fields)


def run_render(render_id: int) -> None:
    """Make the PDF for one queued render; record progress, the file or the error."""
    render = ReportRender.objects.select_related("deliberation").get(pk=render_id)
    _set(render_id, status=ReportRender.Status.RUNNING, progress=5)
    try:
        with translation.override(render.language):
            data = build_report_data(render.deliberation)
            _set(render_id, progress=15)
            pdf = render_pdf(analyse(data), progress=lambda p: _set(render_id, progress=p))
        name = f"{render.deliberation.slug}-report-{render_id}.pdf"
        render.file.save(name, ContentFile(pdf), save=False)
        _set(
            render_id,
            file=render.file.name,
            status=ReportRender.Status.DONE,
            progress=100,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("report render %s failed", render_id)
        _set(
            render_id,
            status=ReportRender.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:500],
            finished_at=timezone.now(),
        )


def _worker(render_id: int) -> None:
    close_old_connections()
    try:
        run_render(render_id)
    finally:
        connections.close_all()


def start_render(render_id: int) -> threading.Thread:
    """Start rendering in a daemon thread (the row tracks it; the page polls the row)."""
    thread = threading.Thread(
        target=_worker, args=(render_id,), name=f"report-render-{render_id}", daemon=True
    )
    thread.start()
    return thread
