"""Errors that carry their message in each language (issue 12 item 6).

``str(err)`` is the Vietnamese then the English message (``vi / en``: a library user sees
both); ``err.by_lang`` holds each alone, and the command line shows the one of ``--lang``
(:func:`tc8.cli.common.domain_errors`)."""
from __future__ import annotations

from .messages import LANGS, text


def localised_error(error: type[Exception], key: str, prefix: str = "", *, str_lang: str | None = None,
                    **params) -> Exception:
    """``error`` whose message is catalogue ``key`` with ``params``, after ``prefix`` (a file
    name, a line: the same in every language). ``str_lang``: ``str(err)`` in that language
    only (where library users always had one language), else ``vi / en``."""
    by_lang = {lang: prefix + text(key, lang, **params) for lang in LANGS}
    if str_lang is not None:
        err = error(by_lang[str_lang])
        err.by_lang = by_lang
        return err
    err = error(" / ".join(by_lang[lang] if i == 0 else text(key, lang, **params) for i, lang in enumerate(LANGS)))
    err.by_lang = by_lang
    return err
