"""Private file storage: files kept under MEDIA_ROOT/private and handed out only by views."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


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
