"""Bounds on YAML that tc8 reads from a user (rule files, their ``extends`` bases).

Such files are plain data and must be cheap to read whatever they contain:

* at most :data:`MAX_BYTES` (1 MB; the shipped rule files are under 25 kB), checked on the
  file's size before it is read;
* no anchors or aliases (``&name``, ``*name``, ``<<: *name``): a 9-line "billion laughs" file
  of nested aliases expands to 10⁹ values, and rule files never need them;
* collections nested at most :data:`MAX_DEPTH` deep (the shipped files reach 9).

The structure check streams the parser's events (linear in the file's length), so a refusal
costs milliseconds. Messages are in Vietnamese and English ("vi / en") because the loader does
not know the user's language; they name the file, and the line for anchors and nesting.
"""
from __future__ import annotations

import yaml

from tc8.model.errors import RuleSetError
from tc8.text.messages import SAFE_LOADER, text

MAX_BYTES = 1_000_000
MAX_DEPTH = 50

_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _both(key: str, **params) -> str:
    return f"{text(key, 'vi', **params)} / {text(key, 'en', **params)}"


def _error(error: type[Exception], prefix: str, key: str, **params) -> Exception:
    """``error`` with the message in both languages, and each alone in ``by_lang`` (the CLI
    shows the one of ``--lang``)."""
    err = error(prefix + _both(key, **params))
    err.by_lang = {lang: prefix + text(key, lang, **params) for lang in ("vi", "en")}
    return err


def check_size(n_bytes: int, display: str, *, error: type[Exception] = RuleSetError) -> None:
    """Refuse a file of more than :data:`MAX_BYTES` bytes (``display`` names it in the message)."""
    if n_bytes > MAX_BYTES:
        raise _error(error, f"{display}: ", "yaml_guard.too_big", size=f"{n_bytes:,}", limit=f"{MAX_BYTES:,}")


def check_structure(source: str, display: str, *, error: type[Exception] = RuleSetError) -> None:
    """Refuse anchors, aliases and nesting deeper than :data:`MAX_DEPTH` in YAML ``source``.

    YAML syntax errors propagate as ``yaml.MarkedYAMLError`` for the caller to report.
    """
    depth = 0
    for event in yaml.parse(source, Loader=SAFE_LOADER):
        if getattr(event, "anchor", None) is not None:  # an anchor (&a) or an alias (*a)
            raise _error(error, f"{display}:{event.start_mark.line + 1}: ", "yaml_guard.alias", name=event.anchor)
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise _error(error, f"{display}:{event.start_mark.line + 1}: ", "yaml_guard.too_deep",
                             limit=MAX_DEPTH)
        elif isinstance(event, _CLOSE):
            depth -= 1
