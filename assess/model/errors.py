"""Exception hierarchy and the problem record shared by reading, validation and rules.

A :class:`Problem` is one thing wrong with the input, located as precisely as we can:
file, layer, row (the feature's id, or ``#n`` = 1-based row number when the id itself is
unusable), field. ``code`` keys a message in ``templates/messages.yaml`` so the same
problem can be shown in Vietnamese or English; ``params`` fill the message. Putting a problem
into words is the text stage's job (:func:`tc8.text.problems.problem_dict`).
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" blocks an assessment; "warning" is reported only
    code: str
    file: str
    layer: str = ""
    row: str = ""
    field: str = ""
    params: dict = dc_field(default_factory=dict, compare=False, hash=False)

    def as_dict(self, lang: str = "vi") -> dict:
        """The problem in words; kept for existing callers. New code calls
        :func:`tc8.text.problems.problem_dict`: words belong to the text stage, and this
        import of it is the one allowed exception to the import rule (CONTRIBUTING.md)."""
        from tc8.text.problems import problem_dict

        return problem_dict(self, lang)


class Tc8Error(Exception):
    """Base class of every error tc8 raises on purpose.

    ``by_lang`` (language -> message), when set, holds the message in each language: the
    command line shows the one of ``--lang`` (``str(err)`` stays bilingual for library users)."""

    by_lang: dict | None = None


class InputError(Tc8Error):
    """The input has problems; ``problems`` lists every one of them (not just the first)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the input")


class RuleSetError(Tc8Error):
    """A rule-set file is malformed; the message names the file and the field."""


class OutputExistsError(Tc8Error):
    """The output exists and ``overwrite`` was not given."""


def first_line(err: BaseException, limit: int | None = 300) -> str:
    """The first line of an exception's message (at most ``limit`` characters), for a one-line
    report; the exception's class name when the message is empty."""
    lines = str(err).splitlines()
    return lines[0][:limit] if lines and lines[0] else type(err).__name__
