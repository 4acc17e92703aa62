"""Arrays of records and multi-dimensional arrays: encode takes indexed paths
(``p[1].x``, ``m[1][2]``) and whole nested values (decode's JSON), and
decode -> encode is the identity.  The bytes of a fixed set of values come
from the ABI's gcc (a designated initializer read back from the ELF
``.data``), big-endian ABIs included; hypothesis drives the round trip."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from views.elf_oracle import gcc_of, object_bytes, require_elftools, symbol_bytes
from abicheck.blobs import context, decode_fields, encode_fields
from abicheck.cli import main
from abicheck.errors import UsageError
from abicheck.targets import get_target

HEADER = """struct pt { short x; int y; unsigned char f : 3; };
struct rec {
    struct pt p[2];
    int m[2][3];
    unsigned char c;
    struct { short a; short b[2]; } q[2];
};
"""
#: one value per leaf, by indexed path, and the same as a C designated initializer
SETS = {"p[0].x": -2, "p[0].y": 70000, "p[0].f": 5, "p[1].x": 3, "p[1].y": -1, "p[1].f": 1,
        "m[0][0]": 1, "m[0][2]": -3, "m[1][1]": 0x7fffffff, "c": 200,
        "q[0].a": 9, "q[1].b[1]": -9}
C_INIT = (".p = {{.x = -2, .y = 70000, .f = 5}, {.x = 3, .y = -1, .f = 1}}, "
          ".m = {{1, 0, -3}, {0, 0x7fffffff, 0}}, .c = 200, "
          ".q = {{.a = 9}, {.b = {0, -9}}}")
TARGETS = ["x86_64", "mips", "s390x", "i386"]


def _cx(tmp_path_factory, target):
    d = tmp_path_factory.getbasetemp() / "elements"
    d.mkdir(exist_ok=True)
    (d / "e.h").write_text(HEADER)
    return context("struct rec", target, None, ["e.h"], [str(d)]), d


@pytest.mark.parametrize("target", TARGETS)
def test_indexed_paths_give_gccs_bytes(tmp_path_factory, target):
    require_elftools()
    t = get_target(target)
    gcc = gcc_of(t)
    if gcc is None:
        pytest.skip(f"no gcc for {target}")
    cx, d = _cx(tmp_path_factory, target)
    want = symbol_bytes(object_bytes(gcc, f'#include "e.h"\nstruct rec probe = {{{C_INIT}}};\n',
                                     [str(d)]), "probe")
    got = encode_fields("struct rec", t, SETS, None, ["e.h"], [str(d)])
    assert got == want
    # decode's values, fed back whole, give the same bytes
    vals = decode_fields(got, "struct rec", t, None, ["e.h"], [str(d)])
    assert encode_fields("struct rec", t, vals, None, ["e.h"], [str(d)]) == want


def test_cli_json_round_trip(tmp_path_factory, capsys):
    cx, d = _cx(tmp_path_factory, "x86_64")
    args = ["--type", "struct rec", "e.h", "-I", str(d), "--target", "x86_64"]
    sets = [a for k, v in SETS.items() for a in ("--set", f"{k}={v}")]
    assert main(["encode", *args, *sets, "--format", "hex"]) == 0
    blob = capsys.readouterr().out.strip()
    assert main(["decode", "--hex", blob, *args, "--format", "json"]) == 0
    fields = json.loads(capsys.readouterr().out)["fields"]
    again = [a for f in fields for a in ("--set", f"{f['name']}={json.dumps(f['value'])}")]
    assert main(["encode", *args, *again, "--format", "hex"]) == 0
    assert capsys.readouterr().out.strip() == blob


@pytest.mark.parametrize("name,value,msg", [
    ("m", "1", "array of arrays"),                  # would have set m[0][0] alone
    ("m", "[[1, 2, 3]]", "1 elements for an array of 2"),
    ("p", "1", "array of arrays or records"),
    ("p[2].x", "1", "past the last element"),
    ("p[0].z", "1", "no member 'z'"),
    ("m[0][0]", "0x80000000", "does not fit"),
    ("p[0].f", "8", "3-bit bitfield"),
    ("c[0]", "1", "not an array"),
    ("m", "[[true, 2, 3], [4, 5, 6]]", "true is not a number"),
    ("m", "[[1, 2, 3], [4, 5", "not a JSON list"),
])
def test_wrong_shapes_are_refused(tmp_path_factory, name, value, msg):
    _cx(tmp_path_factory, "x86_64")
    d = tmp_path_factory.getbasetemp() / "elements"
    with pytest.raises(UsageError, match=msg):
        encode_fields("struct rec", "x86_64", {name: value}, None, ["e.h"], [str(d)])


_i16 = st.integers(-(1 << 15), (1 << 15) - 1)
_i32 = st.integers(-(1 << 31), (1 << 31) - 1)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_round_trip(tmp_path_factory, data):
    target = data.draw(st.sampled_from(TARGETS))
    _cx(tmp_path_factory, target)
    d = str(tmp_path_factory.getbasetemp() / "elements")
    sets = {}
    for i in range(2):
        sets[f"p[{i}].x"] = data.draw(_i16)
        sets[f"p[{i}].y"] = data.draw(_i32)
        sets[f"p[{i}].f"] = data.draw(st.integers(0, 7))
        sets[f"q[{i}].b[{data.draw(st.integers(0, 1))}]"] = data.draw(_i16)
        for j in range(3):
            if data.draw(st.booleans()):
                sets[f"m[{i}][{j}]"] = data.draw(_i32)
    blob = encode_fields("struct rec", target, sets, None, ["e.h"], [d])
    vals = decode_fields(blob, "struct rec", target, None, ["e.h"], [d])
    assert encode_fields("struct rec", target, vals, None, ["e.h"], [d]) == blob
    assert vals["p"][1]["y"] == sets["p[1].y"]
