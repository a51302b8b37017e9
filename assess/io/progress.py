"""Progress of long commands on stderr (``tc8 map``, ``dossier``, ``plan``, ``demo``, ``assess``).

Attached to a terminal: one bar redrawn in place (``\\r``) at most every 0.2 s. Otherwise (a log
file, CI): one plain line every ``every_s`` seconds (default 10) and one at the end, so a long
run in a pipe still shows that it moves. ``quiet`` (``-q``) prints nothing. The label is text
the caller chose (from the message catalogue); numbers are ``done/total``, percent, elapsed
and remaining seconds. Never raises on a closed stream.

    with Progress(len(codes), label, quiet=quiet) as bar:
        for code in codes:
            ...
            bar.advance()
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A progress report of ``total`` steps (see the module docstring)."""

    def __init__(self, total: int, label: str, *, quiet: bool = False, stream: TextIO | None = None,
                 every_s: float = 10.0, tty: bool | None = None, clock=time.monotonic):
        self.total = max(int(total), 0)
        self.label = label
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)()) if tty is None else tty
        self.every_s = 0.2 if self.tty else every_s
        self.clock = clock
        self.done = 0
        self.start = clock()
        self._last = self.start
        self._closed = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def line(self) -> str:
        """The current report, e.g. ``Vẽ bản đồ: 120/2621 (5 %), 12 s, còn ~250 s``."""
        elapsed = self.clock() - self.start
        pct = 100 * self.done / self.total if self.total else 100
        text = f"{self.label}: {self.done}/{self.total} ({pct:.0f} %), {elapsed:.0f} s"
        if 0 < self.done < self.total:
            text += f", ~{elapsed / self.done * (self.total - self.done):.0f} s"
        if self.tty:
            width = 24
            filled = int(width * pct / 100)
            text = f"[{'#' * filled}{'.' * (width - filled)}] " + text
        return text

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # closed pipe or stream: progress is never worth a failure
            self.quiet = True

    def advance(self, n: int = 1) -> None:
        """``n`` more steps done; reports when ``every_s`` has passed since the last report."""
        self.done = min(self.done + n, self.total) if self.total else self.done + n
        if self.quiet:
            return
        now = self.clock()
        if now - self._last >= self.every_s:
            self._last = now
            self._write(("\r" + self.line()) if self.tty else self.line() + "\n")

    def close(self) -> None:
        """The final report (once): ends the bar's line on a terminal."""
        if self._closed or self.quiet:
            self._closed = True
            return
        self._closed = True
        self._write(("\r" + self.line() + "\n") if self.tty else self.line() + "\n")


#: a run becomes "long" (its phases are reported) once it has taken this many seconds
PHASE_AFTER_S = 10.0
#: ... or once it is known to cover this many communes (national size)
PHASE_MANY = 1000


class Phases:
    """Phase-level progress of a long command (``tc8 assess``, ``plan``): one line on stderr as
    each phase ends, e.g. ``tc8 assess 2/3: đánh giá, 4.1 s (7.3 s)`` — its number, words, its
    own seconds and the seconds since the start. Only a long run reports: from the moment it has
    taken ``after_s`` seconds, or once :meth:`size` is told it covers ``many`` units or more
    (a phase that ended earlier is reported then, so the lines stay complete); a small run
    stays silent. ``quiet`` (``-q``) prints nothing. The words are the caller's (catalogue),
    given per phase key in ``names``::

        phases = Phases("tc8", 3, names={"read": text("progress.phase.read", lang), ...}, quiet=quiet)
        ... phases.end("read")
        phases.size(len(results.communes))
        ... phases.end("assess")
    """

    def __init__(self, label: str, total: int, *, names: dict[str, str] | None = None, quiet: bool = False,
                 stream: TextIO | None = None, after_s: float | None = None, many: int | None = None,
                 clock=time.monotonic):
        self.label, self.total, self.quiet = label, int(total), quiet
        self.names = dict(names or {})
        self.stream = stream if stream is not None else sys.stderr
        self.after_s = PHASE_AFTER_S if after_s is None else after_s
        self.many = PHASE_MANY if many is None else many
        self.clock = clock
        self.start = self._mark = clock()
        self.ended: list[tuple[str, float, float]] = []  # (words, own seconds, seconds since start)
        self._shown = 0
        self._big = False

    def size(self, n: int) -> None:
        """The run covers ``n`` units (communes): from ``many`` on, every phase is reported."""
        self._big = self._big or n >= self.many
        self._flush()

    def end(self, key: str) -> None:
        """The phase ``key`` (shown as ``names[key]``, else as it is) ended now."""
        now = self.clock()
        self.ended.append((self.names.get(key, key), now - self._mark, now - self.start))
        self._mark = now
        self._flush()

    def lines(self) -> list[str]:
        """Every ended phase as its report line."""
        return [f"{self.label} {i}/{self.total}: {words}, {own:.1f} s ({since:.1f} s)"
                for i, (words, own, since) in enumerate(self.ended, 1)]

    def _flush(self) -> None:
        if self.quiet or not (self._big or self.clock() - self.start >= self.after_s):
            return
        for line in self.lines()[self._shown:]:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                self.quiet = True
                return
        self._shown = len(self.ended)

