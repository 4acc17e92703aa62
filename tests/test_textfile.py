"""One reader of user input files (abicheck.textfile): the lint config and
shard documents refuse an unreadable or non-UTF-8 file with the same line."""
from __future__ import annotations

import pytest

from abicheck.cli import main


@pytest.mark.parametrize("argv", [["merge", "{}"], ["lint", "--config", "{}", "."]],
                         ids=["shard", "lint-config"])
def test_not_utf8_and_unreadable_are_one_line(argv, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\xff\xfe not text\n")
    for path, words in ((bad, [f"{bad}:1:1: error: ", "not UTF-8 text"]),
                        (tmp_path / "absent", ["cannot read", "'" + str(tmp_path / "absent") + "'"])):
        assert main([a.replace("{}", str(path)) for a in argv]) == 2
        out = capsys.readouterr()
        assert out.out == "" and out.err.count("\n") == 1, out.err
        for w in words:
            assert w in out.err, out.err
