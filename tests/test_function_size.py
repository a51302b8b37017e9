"""No function of the package (``assess/``, ``maps/``) is longer than :data:`MAX_LINES` lines
(CONTRIBUTING.md, style): a longer one is split into named steps. Lines are counted from the
``def`` to the function's last line, docstring and comments included; nested functions count
on their own and inside their parent."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("assess", "maps")
MAX_LINES = 60


def function_lengths(root: Path = REPO) -> list[tuple[str, int]]:
    """``(path:line name, lines)`` of every function and method under :data:`FOLDERS`."""
    out = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    where = f"{path.relative_to(root).as_posix()}:{node.lineno} {node.name}"
                    out.append((where, node.end_lineno - node.lineno + 1))
    return out


def test_no_function_is_longer_than_the_limit():
    long = [f"{where} ({n} lines)" for where, n in function_lengths() if n > MAX_LINES]
    assert not long, f"functions over {MAX_LINES} lines:\n" + "\n".join(long)


def test_the_counter_counts_def_to_last_line(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))  # def + 60 lines = 61
    (tmp_path / "assess").mkdir()
    (tmp_path / "maps").mkdir()
    (tmp_path / "assess" / "m.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    pass\n")
    assert dict(function_lengths(tmp_path)) == {"assess/m.py:1 long": MAX_LINES + 1,
                                                 f"assess/m.py:{MAX_LINES + 4} short": 2}
