"""The bundled demo province (Lâm Đồng): where it is, and the whole job run on it."""
from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

DEMO_PROVINCE = "lam_dong"
DEMO_RULES = "ntm-2021-2025"


def demo_input_path(name: str = DEMO_PROVINCE) -> Path:
    """Folder of the bundled demo input (inside the installed package)."""
    resource = files("tc8.data").joinpath("demo", name)
    with as_file(resource) as path:  # a real folder for a normal (non-zip) install
        return Path(path)
