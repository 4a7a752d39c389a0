"""Which files a material may be: documents and images panelists open, checked by content.

A file's name alone proves nothing: the first bytes must be those of its kind. Scripts
and pages (HTML, SVG) are never accepted, since a browser would run them on the site's
origin. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass

ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office and Hangul (.hwp) documents


@dataclass(frozen=True)
class FileKind:
    content_type: str
    inline: bool  # shown in the browser (PDF, images); other kinds are downloaded
    magic: tuple[bytes, ...]


KINDS: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", True, (b"%PDF-",)),
    "png": FileKind("image/png", True, (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileKind("image/jpeg", True, (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", True, (b"\xff\xd8\xff",)),
    "gif": FileKind("image/gif", True, (b"GIF87a", b"GIF89a")),
    "webp": FileKind("image/webp", True, (b"RIFF",)),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False, (ZIP,)
    ),
    "xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False, (ZIP,)
    ),
    "pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        False,
        (ZIP,),
    ),
    "odt": FileKind("application/vnd.oasis.opendocument.text", False, (ZIP,)),
    "ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", False, (ZIP,)),
    "odp": FileKind("application/vnd.oasis.opendocument.presentation", False, (ZIP,)),
    "hwpx": FileKind("application/haansofthwpx", False, (ZIP,)),
    "hwp": FileKind("application/x-hwp", False, (OLE,)),
    "doc": FileKind("application/msword", False, (OLE,)),
    "xls": FileKind("application/vnd.ms-excel", False, (OLE,)),
    "ppt": FileKind("application/vnd.ms-powerpoint", False, (OLE,)),
}


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def kind_of(name: str, head: bytes) -> FileKind | None:
    """The file's kind when its name and its first bytes agree; None otherwise."""
    kind = KINDS.get(extension_of(name))
    if kind is None or not head.startswith(kind.magic):
        return None
    if extension_of(name) == "webp" and head[8:12] != b"WEBP":
        return None
    return kind
