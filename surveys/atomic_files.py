"""Write several output files all-or-nothing: each goes to a temporary file first.

A failed command must not leave a half-written or partial set of outputs behind, and an
existing file is replaced only once every output is complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


class AtomicOutputs:
    """Collects temporary files; ``commit`` moves them into place, ``discard`` deletes them."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def stage(self, target: str | Path, write: Callable[[Path], None]) -> None:
        """Let ``write`` fill a temporary file beside ``target`` (same file system)."""
        target = Path(target)
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise FileNotFoundError(f"directory {directory} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
        os.chmod(tmp, 0o644)
        self._pending.append((Path(tmp), target))
        write(Path(tmp))

    def commit(self) -> None:
        for tmp, target in self._pending:
            os.replace(tmp, target)
        self._pending.clear()

    def discard(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._pending.clear()


@contextlib.contextmanager
def atomic_outputs() -> Iterator[AtomicOutputs]:
    """Files staged inside the block appear only if the block finishes without an error."""
    outputs = AtomicOutputs()
    try:
        yield outputs
    except BaseException:
        outputs.discard()
        raise
    outputs.commit()
