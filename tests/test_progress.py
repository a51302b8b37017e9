"""tc8.io.progress: a bar on a terminal, periodic lines otherwise, nothing with -q."""
from __future__ import annotations

import io

from tc8.io.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_pipe_gets_periodic_lines_and_a_final_line():
    out, clock = io.StringIO(), Clock()
    with Progress(100, "Maps", stream=out, tty=False, every_s=10, clock=clock) as bar:
        for i in range(100):
            clock.now += 0.5
            bar.advance()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert 4 <= len(lines) <= 6                       # every 10 s of 50 s, plus the end
    assert lines[-1].startswith("Maps: 100/100 (100 %), 50 s")


def test_terminal_gets_one_bar_redrawn_in_place():
    out, clock = io.StringIO(), Clock()
    with Progress(10, "Dossiers", stream=out, tty=True, clock=clock) as bar:
        for _ in range(10):
            clock.now += 1
            bar.advance()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.count("\r") >= 10
    assert "[########################] Dossiers: 10/10" in text


def test_quiet_prints_nothing():
    out = io.StringIO()
    with Progress(5, "x", stream=out, quiet=True, tty=False, every_s=0) as bar:
        for _ in range(5):
            bar.advance()
    assert out.getvalue() == ""


def test_closed_stream_does_not_fail():
    out = io.StringIO()
    bar = Progress(3, "x", stream=out, tty=False, every_s=0)
    out.close()
    bar.advance()
    bar.close()
