"""File names of a dossier in the language of the run (issue 12 item 6): Vietnamese by
default, English under ``--lang en``. ``tc8 verify`` reads the names from the manifests, so a
folder written in either language verifies."""
from __future__ import annotations

#: language -> (commune workbook, commune map HTML, commune map PNG, province roll-up)
NAMES = {
    "vi": ("ho-so-tc8-{code}.xlsx", "ban-do-tc8-{code}.html", "ban-do-tc8-{code}.png", "tong-hop-tinh.xlsx"),
    "en": ("tc8-dossier-{code}.xlsx", "tc8-map-{code}.html", "tc8-map-{code}.png", "province-summary.xlsx"),
}
#: every roll-up name (an existing one in any language is a dossier already there)
PROVINCE_FILES = tuple(names[3] for names in NAMES.values())


def _of(lang: str) -> tuple:
    return NAMES.get(lang, NAMES["vi"])


def workbook_pattern(lang: str = "vi") -> str:
    return _of(lang)[0]


def map_patterns(lang: str = "vi") -> tuple[str, str]:
    return _of(lang)[1], _of(lang)[2]


def province_file(lang: str = "vi") -> str:
    return _of(lang)[3]
