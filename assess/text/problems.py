"""A :class:`~tc8.model.errors.Problem` in words: the record plus its message and fix in one language.

The problem's ``code`` keys ``problem.<code>`` (what is wrong) and ``fix.<code>`` (how to fix
it) in ``templates/messages.yaml``; its ``params``, ``field``, ``layer`` and ``row`` fill the
placeholders (:func:`tc8.text.messages.render_problem`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .messages import render_problem

if TYPE_CHECKING:  # annotations only
    from tc8.model.errors import Problem


def problem_dict(problem: Problem, lang: str = "vi") -> dict[str, str]:
    """``{severity, code, file, layer, row, field, message, fix}`` for ``problem`` in ``lang``
    (``vi`` or ``en``); a code missing from the catalogue shows as its key."""
    what, fix = render_problem(problem, lang)
    return {"severity": problem.severity, "code": problem.code, "file": problem.file,
            "layer": problem.layer, "row": problem.row, "field": problem.field,
            "message": what, "fix": fix}
