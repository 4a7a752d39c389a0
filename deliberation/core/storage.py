"""Private file storage: files kept under MEDIA_ROOT/private and handed out only by views."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from django.utils.text import get_valid_filename


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no public URL: a permission-checked view serves the files."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    @cached_property
    def base_url(self) -> None:
        return None


private_storage = PrivateStorage()


def private_report_storage() -> PrivateStorage:
    return private_storage


def unguessable_name(folder: str, filename: str) -> str:
    """A stored name nobody can guess: a random folder, then the file's own (safe) name.

    Private files are served only by permission-checked views, and a name that leaks (a
    log, a shared screen) still leads nowhere without the right.
    """
    stem, dot, extension = os.path.basename(filename).rpartition(".")
    safe_stem = get_valid_filename(stem or extension)[:80] or "file"
    safe_extension = get_valid_filename(extension)[:10] if dot else ""
    name = f"{safe_stem}.{safe_extension}" if safe_extension else safe_stem
    return f"{folder}/{secrets.token_hex(16)}/{name}"
