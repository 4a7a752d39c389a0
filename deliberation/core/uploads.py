"""Which requests may carry files, and how large the files and their tables may be.

The body limit in front of Django (config.body_limits) lets a request body grow beyond
DATA_UPLOAD_MAX_MEMORY_SIZE only on views marked with accepts_upload, and only up to
their own bound; every other request, the sign-in page included, is refused with 413
before its body is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from deliberation.core.file_limits import FileLimits, FileTooLarge

View = TypeVar("View", bound=Callable)

# Room for the form's other fields and the multipart boundaries around the file.
MULTIPART_OVERHEAD = 1_000_000


def upload_limits() -> FileLimits:
    """The bounds on uploaded data files (polls, volunteer pools, margins), from settings."""
    return FileLimits(
        max_bytes=settings.UPLOAD_MAX_BYTES,
        max_rows=settings.UPLOAD_MAX_ROWS,
        max_columns=settings.UPLOAD_MAX_COLUMNS,
        max_uncompressed_bytes=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.UPLOAD_MAX_COMPRESSION_RATIO,
    )


def accepts_upload(max_file_bytes: Callable[[], int]) -> Callable[[View], View]:
    """Mark a view whose form takes a file of at most max_file_bytes() (read per request,
    so settings changed in tests or at start-up apply)."""

    def mark(view: View) -> View:
        view.upload_max_bytes = max_file_bytes  # type: ignore[attr-defined]
        return view

    return mark


def data_file_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def body_limit_for(view: Callable | None) -> int:
    """The largest request body the view may receive."""
    file_bytes = getattr(view, "upload_max_bytes", None)
    if file_bytes is None:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return file_bytes() + MULTIPART_OVERHEAD


def limit_message(exc: FileTooLarge) -> str:
    """The refusal of a file beyond a limit, in the visitor's language."""
    messages = {
        "bytes": _("The file is larger than %(limit)s MB."),
        "rows": _("The file has more than %(limit)s data rows."),
        "columns": _("The file has more than %(limit)s columns."),
        "expanded": _("The workbook would expand to more than %(limit)s MB when opened."),
        "ratio": _(
            "The workbook is compressed more than %(limit)s times, which a data file never "
            "is; save it again from the spreadsheet program or send a CSV file."
        ),
    }
    return messages[exc.kind] % {"limit": intcomma(exc.limit)}
