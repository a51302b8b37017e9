"""The message catalogue is merged from messages.yaml and messages_<feature>.yaml files."""
from __future__ import annotations

import pytest

from tc8.text import messages


def test_every_catalogue_file_has_vi_and_en_for_every_key():
    for path in messages.catalogue_files():
        data = messages.load_yaml(path.read_text(encoding="utf-8")) or {}
        for key, entry in data.items():
            assert isinstance(entry, dict) and {"vi", "en"} <= set(entry), f"{path.name}: {key}"


def test_a_key_defined_in_two_files_is_refused(monkeypatch, tmp_path):
    one, two = tmp_path / "messages.yaml", tmp_path / "messages_x.yaml"
    one.write_text('a.b: {vi: "x", en: "x"}\n', encoding="utf-8")
    two.write_text('a.b: {vi: "y", en: "y"}\n', encoding="utf-8")
    monkeypatch.setattr(messages, "catalogue_files", lambda: [one, two])
    messages.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="a.b"):
            messages.catalogue()
    finally:
        monkeypatch.undo()
        messages.catalogue.cache_clear()


def test_feature_files_are_merged(monkeypatch, tmp_path):
    one, two = tmp_path / "messages.yaml", tmp_path / "messages_x.yaml"
    one.write_text('a.b: {vi: "x", en: "x"}\n', encoding="utf-8")
    two.write_text('c.d: {vi: "có", en: "yes"}\n', encoding="utf-8")
    monkeypatch.setattr(messages, "catalogue_files", lambda: [one, two])
    messages.catalogue.cache_clear()
    try:
        assert messages.text("c.d", "en") == "yes" and messages.text("a.b", "vi") == "x"
    finally:
        monkeypatch.undo()
        messages.catalogue.cache_clear()
