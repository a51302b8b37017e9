"""Message catalogue: user-facing text in Vietnamese and English.

Texts live in ``templates/messages.yaml`` (key -> {vi, en}) and, one file per feature,
``templates/messages_<feature>.yaml`` (``messages_plan.yaml``...), merged into one catalogue; a
key defined in two files is an error at load. Code only chooses keys and fills
``{placeholders}``. A missing key falls back to the key itself so that a gap in the
catalogue shows up in output rather than crashing a run.
"""
from __future__ import annotations

import functools
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # annotations only
    from tc8.model.errors import Problem

LANGS = ("vi", "en")

# libyaml's loader when PyYAML was built with it: 10x faster on the catalogue (0.006 s vs 0.06 s)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse trusted package YAML (catalogue, workbook layouts) with the fastest safe loader."""
    return yaml.load(text, Loader=SAFE_LOADER)


def catalogue_files() -> list:
    """The catalogue's files: ``messages.yaml`` first, then ``messages_*.yaml`` by name."""
    folder = files("tc8.templates")
    extra = sorted((p for p in folder.iterdir() if p.name.startswith("messages_") and p.name.endswith(".yaml")),
                   key=lambda p: p.name)
    return [folder.joinpath("messages.yaml"), *extra]


@functools.lru_cache(maxsize=1)
def catalogue() -> dict:
    merged: dict = {}
    for path in catalogue_files():
        part = load_yaml(path.read_text(encoding="utf-8")) or {}
        repeated = sorted(set(part) & set(merged))
        if repeated:
            raise ValueError(f"{path.name}: message keys defined twice: {', '.join(repeated[:10])}")
        merged.update(part)
    return merged


class _Default(dict):
    def __missing__(self, key):  # leave unknown placeholders visible
        return "{" + key + "}"


def text(key: str, lang: str = "vi", **params) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    if not params:
        return _plain_text(key, lang)
    entry = catalogue().get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry.get("vi") or key
    return template.format_map(_Default(params))


def render_problem(problem: Problem, lang: str = "vi") -> tuple[str, str]:
    """(what is wrong, how to fix it) for a :class:`~tc8.model.errors.Problem`."""
    params = dict(problem.params)
    params.setdefault("field", problem.field)
    params.setdefault("layer", problem.layer)
    params.setdefault("row", problem.row)
    return (text(f"problem.{problem.code}", lang, **params),
            text(f"fix.{problem.code}", lang, **params))


def shorten(value: object, limit: int) -> str:
    """``value`` as text, cut to ``limit`` characters with a final "…" when longer ("" for None)."""
    value = "" if value is None else str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fmt_number(value: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """Format a number the Vietnamese way (``6,2``; thousands ``1.458.500``) or English."""
    if value is None or value != value:
        return "—"
    s = f"{value:,.{decimals}f}"
    if lang == "vi":
        s = s.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return s


@functools.lru_cache(maxsize=4096)
def _plain_text(key: str, lang: str) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key
    return (entry.get(lang) or entry.get("vi") or key).format_map(_Default())
