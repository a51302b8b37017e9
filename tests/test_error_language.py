"""Issue 12 item 6 (errors): a message tc8 holds in both languages is shown in the one of --lang
only (yaml_guard's refusals of rule files; before, "vi / en" whatever the language)."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli

VI_LETTERS = re.compile(r"[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_rule_file_with_alias_is_refused_in_one_language(tmp_path, lang):
    rules = tmp_path / "r.yaml"
    rules.write_text("id: x\nbase: &a {k: 1}\nother: *a\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["assess", str(make_valid_input(tmp_path)), "--rules", str(rules),
                                   "-o", str(tmp_path / "o"), "--lang", lang], catch_exceptions=False)
    assert res.exit_code == 1
    err = res.output
    assert "r.yaml:2" in err and " / " not in err.split("r.yaml:2", 1)[1]
    if lang == "en":
        assert "anchors and aliases" in err and not VI_LETTERS.search(err), err
    else:
        assert "không được dùng anchor/alias" in err and "are not allowed" not in err
