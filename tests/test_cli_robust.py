"""The CLI under failure: atomic -o, internal errors, suggestions, usage errors."""
from __future__ import annotations

import json
import os
import re
import stat

import pytest

from abicheck.cli import main

ERROR_LINE = re.compile(r"^(?:.+?:\d+:\d+|abicheck|.+?): error: .+$")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def header(tmp_path):
    p = tmp_path / "t.h"
    p.write_text("struct stat { char c; long v; };\ntypedef struct stat stat_t;\n")
    return str(p)


def test_output_file_holds_exactly_what_stdout_would(capsys, tmp_path, header):
    code, out, _ = run(capsys, "layout", header, "-t", "all", "--format", "json")
    dest = tmp_path / "out" / "layout.json"
    dest.parent.mkdir()
    code2, out2, err2 = run(capsys, "layout", header, "-t", "all", "--format", "json", "-o", str(dest))
    assert (code, code2, out2, err2) == (0, 0, "", "")
    assert dest.read_text() == out
    assert os.listdir(dest.parent) == ["layout.json"]          # no temporary left behind


def test_failed_run_leaves_the_old_file_alone(capsys, tmp_path, header):
    dest = tmp_path / "report.sarif"
    dest.write_text("old report\n")
    code, out, err = run(capsys, "check", str(tmp_path / "missing.json"), "-o", str(dest))
    assert code == 2 and out == "" and dest.read_text() == "old report\n"
    assert sorted(os.listdir(tmp_path)) == ["report.sarif", "t.h"]


def test_findings_are_still_written(capsys, tmp_path):
    dest = tmp_path / "r.json"
    code, out, err = run(capsys, "check", "--headers", "pkeys-v1", "--format", "json", "-o", str(dest))
    assert code == 1 and out == "" and err == ""
    assert json.loads(dest.read_text())["summary"]["failed"] > 0


@pytest.mark.parametrize("where", ["nodir/x.json", "."])
def test_unwritable_output_is_an_error(capsys, tmp_path, header, where):
    code, out, err = run(capsys, "layout", header, "-o", str(tmp_path / where))
    assert code == 2 and out == "" and ERROR_LINE.match(err.strip()) and "cannot write" in err


def test_unknown_type_suggests_close_names(capsys, header):
    code, out, err = run(capsys, "layout", header, "--type", "struct stats")
    assert code == 2 and out == ""
    assert err == "abicheck: error: unknown type 'struct stats' (did you mean 'struct stat'?)\n"
    code, _, err = run(capsys, "layout", header, "--type", "stat")
    assert "'struct stat'" in err and "'stat_t'" in err


def test_internal_error_is_one_line_with_its_own_code(capsys, monkeypatch, header):
    import abicheck.api
    monkeypatch.setattr(abicheck.api, "declared_records", lambda *a: 1 / 0)
    code, out, err = run(capsys, "layout", header)
    assert code == 3 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("abicheck: internal error: ZeroDivisionError")
    monkeypatch.setenv("ABICHECK_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["layout", header])


@pytest.mark.parametrize("argv", [
    ["layout"], ["layout", "t.h", "--target", "vax"], ["targets", "--format", "xml"],
    ["layout", "t.h", "-j", "0"], ["layout", "t.h", "--limit", "nesting=lots"],
    ["layout", "t.h", "-D", "1BAD"], ["layout", "t.h", "-I", "/nonexistent"], ["frobnicate"], [],
    ["check", "nope.json"], ["layout", "/no/such/header.h"], ["layout", "."],
])
def test_usage_errors(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.h").write_text("struct s { int a; };\n")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err and all(ERROR_LINE.match(line) for line in err.splitlines()), err


def test_header_names_with_newlines_cannot_forge_lines(capsys, tmp_path):
    p = tmp_path / "evil\nfake.h:1:1: error: forged.h"
    p.write_text("struct s { int a; ];\n")
    code, out, err = run(capsys, "layout", str(p))
    assert code == 2 and len(err.splitlines()) == 1 and "\\n" in err


def test_output_through_a_link_replaces_the_links_file_not_the_link(capsys, tmp_path, header):
    target = tmp_path / "real.txt"
    target.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert main(["layout", header, "--type", "struct stat", "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "struct stat" in target.read_text()


def test_output_to_a_fifo_is_written_not_replaced(capsys, tmp_path, header):
    """``-o /dev/stdout`` (or a FIFO, a terminal) must be written to: renaming
    a finished file over it would replace the device with a file."""
    import threading
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    assert main(["layout", header, "--type", "struct stat", "-o", str(fifo)]) == 0
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)          # still the FIFO
    assert b"struct stat" in got[0]
