"""What decode says of a member comes from its C type, not from its
spelling: a pointer behind a typedef or in an array prints in hex; a
bitfield's JSON describes the bitfield (its declared type, the bytes its bits
touch), not the storage run it shares.  Bytes packed by hand at the x86_64
psABI offsets (char at 0; bitfields from bit 8 of the allocation unit at 0,
LSB first; pointers 8-aligned)."""
from __future__ import annotations

import json
import struct

from abicheck.cli import main

HEADER = ("typedef void *handle;\n"
          "struct b { char c; unsigned f : 3; int g : 20; handle h; char *q[2]; double d; };\n")


def _args(tmp_path):
    (tmp_path / "b.h").write_text(HEADER)
    return ["--type", "struct b", "b.h", "-I", str(tmp_path), "--target", "x86_64"]


def _blob() -> bytes:
    bits = 5 | ((-2 & 0xFFFFF) << 3)                # f = 5 at bit 8, g = -2 at bit 11
    unit = 7 | (bits << 8)                          # c = 7 in byte 0
    return struct.pack("<I4xQQQd", unit, 0x1000, 0x2000, 0, 2.5)


def test_pointers_print_in_hex(tmp_path, capsys):
    assert main(["decode", "--hex", _blob().hex(), *_args(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\t.h = 0x1000,\n" in out                 # a typedef'd pointer
    assert "\t.q = { 0x2000, 0 },\n" in out          # an array of pointers
    assert "\t.c = 7,\n" in out and "\t.d = 2.5,\n" in out


def test_bitfield_json_describes_the_bitfield(tmp_path, capsys):
    assert main(["decode", "--hex", _blob().hex(), *_args(tmp_path), "--format", "json"]) == 0
    fields = {f["name"]: f for f in json.loads(capsys.readouterr().out)["fields"]}
    f, g = fields["f"], fields["g"]
    assert (f["c_type"], f["offset"], f["size"], f["bit"], f["bits"], f["value"]) == \
        ("unsigned", 1, 1, 0, 3, 5)
    # g: bits 11..30 of the record, bytes 1..3, from bit 3 of byte 1
    assert (g["c_type"], g["offset"], g["size"], g["bit"], g["bits"], g["value"]) == \
        ("int", 1, 3, 3, 20, -2)
    assert g["bytes"] == _blob()[1:4].hex()
