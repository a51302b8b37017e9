"""Atomic file writes, shared by results, maps and dossiers.

A file is written under a temporary name in its final folder and moved into place with
``os.replace`` only once it is complete, so an interrupted run never leaves a half-written
file under the final name (and never clobbers the previous good one). The temporary file is
removed on any failure, including KeyboardInterrupt.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _file_mode() -> int:
    """Mode an ordinary ``open(..., "w")`` would give: 0o666 minus the process umask
    (``mkstemp`` creates files 0o600, which would hide results from colleagues)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(final, *, placeholder: bool = True):
    """Yield a temporary path beside ``final``; on success it replaces ``final``.

    ``placeholder=False`` removes the empty temporary file before yielding, for writers that
    insist on creating the file themselves (GDAL drivers). The parent folder is created.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    if not placeholder:
        os.unlink(tmp)
    try:
        yield Path(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path, content: str) -> Path:
    """Write UTF-8 ``content`` to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(content, encoding="utf-8")
    return Path(path)
