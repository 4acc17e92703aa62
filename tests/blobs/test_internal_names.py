"""C members named like construct's context keys (``_io``, ``_index``, ``_``,
``_root``, ``_params``, ``_subcons``, ``_parsing``) are members like any
other: encoded, decoded and printed, never dropped as construct internals.
The expected bytes are packed by hand: on x86_64 (SysV psABI) these are
4-byte ints one after another, the bitfield in the low bits of the last."""
from __future__ import annotations

import struct

from abicheck.cli import main

HEADER = ("struct weird { int _io; int _index; int _; union { int _root; short _params; } u;\n"
          "  struct { int _subcons; int x; } s; int _parsing; unsigned _building : 3; };\n")
SETS = {"_io": 1, "_index": 2, "_": 3, "u._root": 4, "s._subcons": 5, "s.x": 6, "_parsing": 7,
        "_building": 5}


def _args(tmp_path):
    (tmp_path / "w.h").write_text(HEADER)
    return ["--type", "struct weird", "w.h", "-I", str(tmp_path), "--target", "x86_64"]


def _blob() -> bytes:
    # seven ints, then the bitfield in the low bits of the next int (x86_64: LSB first)
    return struct.pack("<7iI", 1, 2, 3, 4, 5, 6, 7, 5)


def test_encode_sets_them(tmp_path, capsys):
    sets = [a for k, v in SETS.items() for a in ("--set", f"{k}={v}")]
    assert main(["encode", *_args(tmp_path), *sets, "--format", "hex"]) == 0
    assert bytes.fromhex(capsys.readouterr().out.strip()) == _blob()


def test_decode_text_prints_them(tmp_path, capsys):
    assert main(["decode", "--hex", _blob().hex(), *_args(tmp_path)]) == 0
    out = capsys.readouterr().out
    for line in ("\t._io = 1,", "\t._index = 2,", "\t._ = 3,", "\t\t._root = 4,",
                 "\t\t._params = 4,", "\t\t._subcons = 5,", "\t._parsing = 7,",
                 "\t._building = 5"):
        assert line in out.splitlines() or line + "," in out.splitlines(), (line, out)


def test_decode_json_has_them(tmp_path, capsys):
    import json
    assert main(["decode", "--hex", _blob().hex(), *_args(tmp_path), "--format", "json"]) == 0
    vals = {f["name"]: f["value"] for f in json.loads(capsys.readouterr().out)["fields"]}
    assert vals == {**SETS, "u._params": 4}
