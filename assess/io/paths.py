"""Output paths built from data: the one place a commune code becomes a file or folder name.

Every command that puts data into a file name (``tc8 map``: ``communes/<code>.html|.png``;
``tc8 dossier``: ``<code>/ho-so-tc8-<code>.xlsx``, ``ban-do-tc8-<code>.html|.png`` and the
temporary folders beside them) builds the path with :func:`output_path`, which guarantees the
result stays inside the output folder.

A name taken from data is safe when it is 1 to :data:`MAX_NAME` characters of ASCII letters,
digits, ``-`` and ``_`` (so no separator ``/`` ``\\``, no ``..`` or leading dot, no drive
``C:``, no NUL or other control character, no space or accent) and is not a name Windows
reserves for devices (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM1``–``COM9``, ``LPT1``–``LPT9``,
any case). Validation (``unsafe_commune_code``) applies the same rule through
:func:`unsafe_names`, so a bad code is reported with its row before anything is written.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tc8.model.errors import Tc8Error

#: longest code accepted as a name (the longest file built from it, ``ho-so-tc8-<code>.xlsx``
#: or the hidden temporary names, stays far below the usual 255-byte limit)
MAX_NAME = 64
#: a whole file name (after the code is put into its pattern) never exceeds this (bytes, UTF-8)
MAX_FILE_NAME = 255
_SAFE = re.compile(r"[0-9A-Za-z_-]{1,%d}" % MAX_NAME)
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                              *(f"LPT{i}" for i in range(1, 10))})


class UnsafeNameError(Tc8Error, ValueError):
    """A value that cannot be used as a file or folder name, or a path that would leave the
    output folder (a clean error, not a traceback)."""


def is_safe_name(value) -> bool:
    """True when ``value`` (a str) may be used as a file or folder name; see the module doc."""
    return (isinstance(value, str) and _SAFE.fullmatch(value) is not None
            and value.upper() not in WINDOWS_RESERVED)


def unsafe_names(values) -> np.ndarray:
    """Boolean mask over ``values``: true where a non-missing value is not a safe name."""
    return np.array([v is not None and not is_safe_name(v) for v in values], dtype=bool)


def check_name(value) -> str:
    """Return ``value`` if it is a safe name, else raise :class:`UnsafeNameError` quoting it."""
    if not is_safe_name(value):
        raise UnsafeNameError(
            f"Mã không dùng được làm tên tệp/thư mục / unsafe code for a file name: {value!r} "
            f"(chỉ chữ Latin không dấu, số, '-', '_', tối đa {MAX_NAME} ký tự, không phải CON/NUL/COM1… / "
            f"only letters, digits, '-', '_', at most {MAX_NAME} characters, not CON/NUL/COM1…)")
    return value


def data_name(code, pattern: str = "{code}") -> str:
    """The file name ``pattern`` with the safe name ``code`` put in (``{code}``); raises
    :class:`UnsafeNameError` for an unsafe code or a name longer than :data:`MAX_FILE_NAME` bytes."""
    check_name(code)
    file_name = pattern.format(code=code)
    if len(file_name.encode("utf-8")) > MAX_FILE_NAME or Path(file_name).name != file_name:
        raise UnsafeNameError(f"unsafe file name: {file_name!r}")
    return file_name


def output_path(outdir, code, name: str = "{code}", *, folder: str = "") -> Path:
    """``outdir/[folder/]<name with {code} filled in>``, guaranteed inside ``outdir``.

    ``code`` comes from data and must be a safe name (:func:`check_name`); ``name`` and
    ``folder`` are the tool's own patterns. The result is resolved (symbolic links followed,
    ``outdir`` need not exist yet) and must lie strictly inside the resolved ``outdir``.
    Raises :class:`UnsafeNameError` otherwise.
    """
    file_name = data_name(code, name)
    root = Path(outdir)
    path = (root / folder / file_name) if folder else (root / file_name)
    resolved_root = root.resolve()
    resolved = path.resolve()
    if resolved == resolved_root or not resolved.is_relative_to(resolved_root):
        raise UnsafeNameError(f"{path}: ngoài thư mục kết quả / outside the output folder {root}")
    return path
