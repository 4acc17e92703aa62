"""``abicheck model``: the printed source is valid Python that, executed,
builds the same bytes as the live model (and as GCC: the live model is
checked against GCC in test_model_bytes.py); bad input is one line, exit 2,
nothing on stdout."""
from __future__ import annotations

import pytest

from views.model_cases import siginfo
from abicheck import api
from abicheck.cli import main
from abicheck.targets import get_target
from abicheck.views import construct_model as cm

HEADER = """struct rec {
    char c;
    int x:3, y:9;
    union { short s; unsigned char b[3]; } u;
    struct { long l; double d; } in[2];
    unsigned long long big:40;
};
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exec_model(text: str, name: str):
    ns: dict = {}
    exec(compile(text, "<model>", "exec"), ns)
    return ns[cm.python_name(name)]


@pytest.mark.parametrize("target", ["x86_64", "s390x", "m68k"])
def test_siginfo_source_builds_the_live_bytes(capsys, target):
    code, out, err = run(capsys, "model", "--headers", "pkeys-u8-reserved", "--type", "siginfo_t",
                         "--target", target)
    assert code == 0 and err == ""
    assert out.startswith("# siginfo_t on ") and "from construct import" in out
    printed = exec_model(out, "siginfo_t")
    tr, lay = siginfo("pkeys-u8-reserved", target)
    live = cm.model(lay, tr)
    paths = cm.field_paths(lay, tr)
    v = cm.nest({"si_signo": 11, "si_code": 4, "_sifields._sigfault._pkey": 9,
                 "_sifields._sigfault._addr": 0xdead}, paths)
    assert printed.build(v) == live.build(v)
    assert printed.sizeof() == lay.size


@pytest.mark.parametrize("target", ["x86_64", "sparc64"])
def test_header_source_builds_the_live_bytes(capsys, tmp_path, target):
    h = tmp_path / "rec.h"
    h.write_text(HEADER)
    code, out, err = run(capsys, "model", str(h), "--type", "struct rec", "--target", target)
    assert code == 0 and err == ""
    printed = exec_model(out, "struct rec")
    tr = api.translate([str(h)], get_target(target))
    (lay,) = api.layout_translation(tr, ["struct rec"])
    v = cm.nest({"c": 7, "x": -1, "y": 100, "u.b": [1, 2, 3], "big": 0x123456789A,
                 "in": [{"l": 5, "d": 2.5}, {"l": -5, "d": -0.5}]}, cm.field_paths(lay, tr))
    assert printed.build(v) == cm.model(lay, tr).build(v)
    # deterministic: the same input prints the same bytes
    assert run(capsys, "model", str(h), "--type", "struct rec", "--target", target)[1] == out


@pytest.mark.parametrize("argv, msg", [
    (["--headers", "linux-6.6", "--type", "siginfo", "--target", "x86_64"], "unknown type 'siginfo'"),
    (["--headers", "linux-6.6", "--type", "siginfo_t", "--target", "vax"], "unknown target 'vax'"),
    (["--headers", "nosuchset", "--type", "siginfo_t", "--target", "x86_64"], "no bundled header set"),
    (["--headers", "linux-6.6", "--type", "siginfo_t", "--target", "x86_64,s390x"], "one --target"),
    (["--type", "siginfo_t", "--target", "x86_64"], "needs a HEADER"),
    (["--headers", "linux-6.6", "--type", "siginfo_t", "--target", "all"], "one --target"),
    (["--headers", "linux-6.6", "--type", "siginfo_t", "-t", "x86_64", "-t", "i386"],
     "one --target"),
])
def test_bad_input(capsys, argv, msg):
    code, out, err = run(capsys, "model", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("abicheck: error: ") and msg in err


def test_target_help_offers_one_abi(capsys):
    """model is for one ABI: its --target help offers no 'all' and no list."""
    with pytest.raises(SystemExit):
        main(["model", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    start = text.index("--target T, -t T")
    target_help = text[start:start + 200]
    assert "'all'" not in target_help and "comma" not in target_help
    assert "default: the host" in target_help


def test_anonymous_records_of_one_shape_are_named_by_their_place(capsys, tmp_path):
    """Two anonymous structs of the same shape are two definitions, named after
    their members; a named record used twice is one."""
    h = tmp_path / "t.h"
    h.write_text("struct two { struct { int a; } x; struct { int a; } y; struct pt { int a; } p, q; };\n")
    code, out, err = run(capsys, "model", str(h), "--type", "struct two", "--target", "x86_64")
    assert code == 0 and err == ""
    assert "'x' / Default(struct_two_x, {})" in out and "'y' / Default(struct_two_y, {})" in out
    assert out.count("struct_two_x = Struct(") == 1 and out.count("struct_two_y = Struct(") == 1
    assert out.count("struct_pt = Struct(") == 1 and out.count("Default(struct_pt, {})") == 2
    ns: dict = {}
    exec(out, ns)                                      # the printed source is a working model
    assert ns["struct_two"].build({"y": {"a": 5}}) == bytes(4) + (5).to_bytes(4, "little") + bytes(8)
