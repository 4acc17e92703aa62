"""The command-line contract: exit codes, one-line errors, JSON schema, determinism."""
import json
import os
from importlib import resources

import jsonschema
import pytest

from abicheck.cli import main
from abicheck.targets import all_targets

SRC = """
struct hdr { char tag; long value; unsigned flags:3; unsigned kind:5; };
typedef union { int i; void *p; } word_t;
#define hdr_value value
"""


@pytest.fixture
def header(tmp_path):
    p = tmp_path / "t.h"
    p.write_text(SRC)
    return str(p)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_layout_text_is_pahole_like(capsys, header):
    code, out, err = run(capsys, "layout", header, "--type", "struct hdr", "--target", "x86_64")
    assert code == 0 and err == ""
    assert "struct hdr {" in out
    assert "/* XXX 7 bytes hole, try to pack */" in out      # char then 8-aligned long: psABI fact
    assert "/* size: 24, cachelines: 1, members: 4 */" in out
    assert "BRAIN FART" not in out


def test_layout_json_validates_and_is_deterministic(capsys, header):
    argv = ("layout", header, "--type", "struct hdr", "--type", "word_t", "--field", "hdr_value",
            "--target", "all", "--format", "json")
    code, out1, _ = run(capsys, *argv)
    _, out2, _ = run(capsys, *argv)
    assert code == 0 and out1 == out2
    doc = json.loads(out1)
    schema = json.loads(resources.files("abicheck").joinpath("schemas/layout.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert len(doc["results"]) == len(all_targets())
    first = doc["results"][0]["types"][0]
    assert first["fields"][0]["accessor"] == "hdr_value" and first["fields"][0]["path"] == "value"


def test_default_types_are_the_header_records(capsys, header):
    code, out, _ = run(capsys, "layout", header, "--target", "i386", "--format", "json")
    names = [t["name"] for t in json.loads(out)["results"][0]["types"]]
    assert names == ["struct hdr"]


def test_targets_listing(capsys):
    code, out, _ = run(capsys, "targets", "--format", "json")
    names = [t["name"] for t in json.loads(out)["targets"]]
    for required in ("x86_64", "i386", "x32", "aarch64", "arm", "arm_oabi", "m68k", "mips",
                     "mipsel", "mipsn32", "mips64", "mips64el", "powerpc", "powerpc64",
                     "powerpc64le", "s390", "s390x", "sparc", "sparc64", "alpha", "riscv32",
                     "riscv64", "parisc", "sh4", "loongarch64", "ia64"):
        assert required in names


@pytest.mark.parametrize("argv, message", [
    pytest.param(["layout", "missing.h"], "cannot find header 'missing.h'", id="missing-include"),
    pytest.param(["layout", "HDR", "--type", "struct nope"], "unknown type 'struct nope'", id="unknown-type"),
    pytest.param(["layout", "HDR", "--target", "vax"], "unknown target 'vax'", id="unknown-target"),
    pytest.param(["layout", "HDR", "--field", "nope"], "'nope' names no member", id="unknown-field"),
    pytest.param(["layout", "BAD"], "error: syntax error", id="syntax-error"),
    pytest.param(["layout", "HDR", "-I", "/nonexistent"], "does not exist", id="bad-include-dir"),
    pytest.param(["frobnicate"], "error:", id="unknown-command"),
])
def test_bad_input_is_one_line_exit_2(capsys, header, tmp_path, argv, message):
    bad = tmp_path / "bad.h"
    bad.write_text("struct a {\n  int x\n};\n")
    argv = [{"HDR": header, "BAD": str(bad)}.get(a, a) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert message in err


def test_syntax_error_points_at_the_line(capsys, tmp_path):
    bad = tmp_path / "bad.h"
    bad.write_text("struct a {\n  int x\n};\n")
    _, _, err = run(capsys, "layout", str(bad))
    assert err.startswith(f"{bad}:3:1: error:")


def test_multi_target_errors_name_the_target(capsys, tmp_path):
    hdr = tmp_path / "only64.h"
    hdr.write_text("#ifndef __LP64__\n#error 64-bit only\n#endif\nstruct s { long x; };\n")
    code, out, err = run(capsys, "layout", str(hdr), "--target", "x86_64,i386")
    assert code == 2 and out == ""
    assert err == f"{hdr}:2:2: error: #error 64-bit only (target i386)\n"


def test_field_without_a_type_to_look_in_says_so(capsys):
    """asm/siginfo.h defines no record itself (asm-generic/siginfo.h does):
    with no --type there is nothing to resolve si_pkey in, and the error must
    say that, not 'names no member of' an empty list."""
    from abicheck import bundled
    code = main(["layout", "asm/siginfo.h", "-I", bundled.headers_dir("linux-6.6"),
                 "--field", "si_pkey", "--target", "x86_64"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "name one with --type" in err and "member of  on" not in err


def _command(*argv, **kw):
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return subprocess.run([sys.executable, "-m", "abicheck", *argv], cwd=root, capture_output=True,
                          text=True, **kw)


def test_the_command_prints_and_exits_as_main_returns(capsys, header):
    """``python -m abicheck`` (``cli.entry``: ``main``, its exit hooks, then a
    quick exit) prints exactly what ``main`` prints and exits with its code."""
    argv = ("layout", header, "--target", "x86_64,i386", "--format", "json")
    code, out, _ = run(capsys, *argv)
    got = _command(*argv)
    assert (got.returncode, got.stdout, got.stderr) == (code, out, "") and code == 0
    bad = _command("layout", "missing.h")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "cannot find header 'missing.h'" in bad.stderr


def test_a_reader_that_stops_early_gets_no_traceback():
    """Output into a pipe closed by its reader (``| head -1``): no
    traceback and no 'Exception ignored' message at exit (the JSON is
    ~350 KB, past any pipe's buffer, so the write does fail)."""
    import subprocess
    import sys
    with subprocess.Popen([sys.executable, "-m", "abicheck", "layout", "asm/siginfo.h", "-I",
                           bundled_dir(), "--type", "siginfo_t", "--target", "all", "--format",
                           "json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as p:
        p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read()
        p.wait()
    assert p.returncode == 0 and err == ""


def bundled_dir():
    from abicheck import bundled
    return bundled.headers_dir("linux-6.6")


def test_a_profiler_still_gets_its_data(tmp_path):
    """Under cProfile the quick exit stands aside: the profile is written."""
    import subprocess
    import sys
    out = tmp_path / "prof.out"
    r = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "abicheck",
                        "targets"], capture_output=True, text=True)
    assert r.returncode == 0 and out.stat().st_size > 0


def _whole_parser_says(argv):
    """What the parser with every command fully built prints for ``argv``:
    its exit status, stdout and its error (argparse itself is the oracle of
    the top-level parser's text)."""
    import contextlib
    import io

    from abicheck.cli import build_parser
    from abicheck.errors import UsageError
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            build_parser().parse_args(argv)
    except SystemExit as e:
        return e.code, out.getvalue(), ""
    except UsageError as e:
        return 2, "", f"{e}\n"
    return None, out.getvalue(), ""


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--version"], ["frob"], ["--frob"],
                                  ["-t", "x86_64", "check"]], ids=" ".join)
def test_the_top_level_parser_says_what_the_whole_one_does(argv, monkeypatch):
    """With no command first, abicheck builds each command as its --help line
    only: what it prints and its exit status must be what the parser with
    every command's arguments built gives."""
    got = _command(*argv, env=dict(os.environ, COLUMNS="100"))
    monkeypatch.setenv("COLUMNS", "100")        # argparse wraps help to it
    want = _whole_parser_says(argv)
    assert (got.returncode, got.stdout, got.stderr) == want


def test_help_builds_no_command_and_imports_none():
    """``--help`` imports no command's module (nor dataclasses, the error
    tree, the cache): measured, they were half its time."""
    from fresh_imports import modules_after, under
    got = modules_after("from abicheck.cli import main\nmain(['--help'])")
    assert under("abicheck.subcommands", got) == []
    assert not {"dataclasses", "abicheck.errors", "abicheck.cache", "abicheck.limits", "typing",
                "json"} & set(got)
    # a command line imports its own command's module and no other
    got = modules_after("from abicheck.cli import main\nmain(['targets'])")
    assert under("abicheck.subcommands", got) == ["abicheck.subcommands.targets"]
