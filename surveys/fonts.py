"""The Korean font every chart and PDF uses: NanumGothic shipped by koreanize-matplotlib.

Reports must render Korean on any server, so the font comes from the pinned package's own
files, never from whatever the system has installed. The package is located without being
imported (importing it would change matplotlib's global settings).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path

FONT_FAMILY = "NanumGothic"
_PACKAGE = "koreanize_matplotlib"
_lock = threading.Lock()


class FontMissingError(RuntimeError):
    """The koreanize-matplotlib package (and so the Korean font) is not installed."""


@cache
def font_directory() -> Path:
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FontMissingError(f"install {_PACKAGE} (see requirements.txt) for Korean text")
    directory = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    if not (directory / "NanumGothic.ttf").is_file():
        raise FontMissingError(f"{directory} has no NanumGothic.ttf")
    return directory


def regular_font_path() -> Path:
    return font_directory() / "NanumGothic.ttf"


def bold_font_path() -> Path:
    return font_directory() / "NanumGothicBold.ttf"


_registered = False


def register_with_matplotlib() -> str:
    """Add the Nanum TTF files to matplotlib's font manager once; returns the family name."""
    global _registered
    with _lock:
        if not _registered:
            from matplotlib import font_manager

            for path in sorted(font_directory().glob("*.ttf")):
                font_manager.fontManager.addfont(str(path))
            _registered = True
    return FONT_FAMILY
