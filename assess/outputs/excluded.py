"""Records excluded by ``--skip-invalid`` as the renderers show them (read from
``Results.excluded`` and ``Results.communes["affected_by_exclusion"]``; nothing is decided here:
which communes a record could affect is the engine's, :mod:`tc8.engine.exclusion`)."""
from __future__ import annotations

import pandas as pd

from tc8.model.results import Results
from tc8.text.messages import text

#: Records named in a note before "and N more".
NOTE_LIMIT = 5


def excluded_counts(results: Results) -> tuple[int, int] | None:
    """(records excluded, communes marked ``affected_by_exclusion``); None without ``--skip-invalid``."""
    if results.excluded is None:
        return None
    records = results.excluded[["layer", "position"]].drop_duplicates()
    flag = results.communes.get("affected_by_exclusion")
    return len(records), int(flag.fillna(False).astype(bool).sum()) if flag is not None else 0


def records_affecting(results: Results, code: str) -> pd.DataFrame:
    """The excluded records (one row per record) that could affect commune ``code``."""
    excluded = results.excluded
    if excluded is None or not len(excluded):
        return pd.DataFrame(columns=["layer", "row"])
    codes = excluded["affected_communes"].fillna("").astype(str).str.split(";")
    hit = codes.map(lambda found: str(code) in found).to_numpy(dtype=bool)
    return pd.DataFrame(excluded.loc[hit, ["layer", "row", "position"]]).drop_duplicates(["layer", "position"])


def exclusion_note(results: Results, code: str, lang: str) -> str:
    """"The result may change: N records excluded … could affect this commune: layer row; …"
    for commune ``code``; "" when no excluded record could affect it."""
    found = records_affecting(results, code)
    if not len(found):
        return ""
    names = [f"{layer} {row}" for layer, row in zip(found["layer"], found["row"])]
    shown = "; ".join(names[:NOTE_LIMIT])
    if len(names) > NOTE_LIMIT:
        shown += "; " + text("reason.and_more", lang, n=len(names) - NOTE_LIMIT)
    return text("results.exclusion_note", lang, n=len(names), records=shown)


def province_note(results: Results, lang: str) -> str:
    """"K communes whose result may change because N records were excluded" ("" without any)."""
    counts = excluded_counts(results)
    if not counts or not counts[0]:
        return ""
    return text("map.excluded_note", lang, n=counts[0], communes=counts[1])
