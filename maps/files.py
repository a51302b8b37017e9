"""Atomic file writes for the maps (temp file in the target folder, then ``os.replace``)."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_target(path) -> Path:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` (mode 0666 & ~umask)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path, content: str) -> Path:
    """Write UTF-8 ``content`` to ``path`` atomically; return the path."""
    with atomic_target(path) as tmp:
        tmp.write_text(content, encoding="utf-8")
    return Path(path)
