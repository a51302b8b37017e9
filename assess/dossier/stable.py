"""The same bytes for the same dossier, whenever and by whichever process it is written.

- Workbooks: openpyxl stamps ``docProps/core.xml`` (created, modified) with the wall clock and
  every zip entry with the time it was written; :func:`stable_xlsx` rewrites the saved file
  with the job's timestamp (``generated_at``) in both places (entry order, names and content
  otherwise unchanged).
- HTML maps: folium names every element with a random 32-hex id (``map_3f…``);
  :func:`stable_html_ids` replaces each by an id derived from ``seed`` (the commune code) and
  its order of first appearance, so two drawings of the same map are byte-identical.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

_HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
CORE = "docProps/core.xml"


def stamp_of(generated_at: str) -> datetime:
    """``generated_at`` (ISO 8601, ``Z`` or offset) as a naive UTC datetime (seconds)."""
    when = datetime.fromisoformat(str(generated_at).replace("Z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return max(when.replace(microsecond=0), datetime(1980, 1, 1))  # zip dates start in 1980


def stable_xlsx(path: Path, generated_at: str) -> None:
    """Rewrite the saved workbook ``path`` in place with ``generated_at`` as every timestamp."""
    when = stamp_of(generated_at)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == CORE:
                data = _CORE_TIMES.sub(lambda m: m.group(1) + iso + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    Path(path).write_bytes(out.getvalue())


def stable_html_ids(html: str, seed: str) -> str:
    """``html`` with every random 32-hex element id replaced by one derived from ``seed``."""
    names: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        found = match.group(0)
        if found not in names:
            names[found] = hashlib.md5(f"{seed}:{len(names)}".encode(), usedforsecurity=False).hexdigest()
        return names[found]

    return _HEX32.sub(rename, html)
