"""JSON output is strict JSON (RFC 8259 has no NaN or Infinity): a
non-finite float is written as the string "nan", "inf" or "-inf", and those
strings read back through ``--set``."""
from __future__ import annotations

import json
import math
import struct

import pytest

from abicheck.cli import main


def _strict(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def header(tmp_path):
    (tmp_path / "s.h").write_text("struct sample { float f; double d; double e; };\n")
    return ["--type", "struct sample", "s.h", "-I", str(tmp_path), "--target", "x86_64"]


def _values(doc) -> dict:
    return {f["name"]: f["value"] for f in doc["fields"]}


def test_encode_json_is_strict(capsys, header):
    assert main(["encode", *header, "--set", "f=nan", "--set", "d=-inf", "--set", "e=1.5",
                 "--format", "json"]) == 0
    doc = _strict(capsys.readouterr().out)
    assert _values(doc) == {"f": "nan", "d": "-inf", "e": 1.5}


def test_decode_json_is_strict_and_reads_back(capsys, header):
    blob = struct.pack("<f4xdd", math.inf, math.nan, -0.0)        # packed by hand
    assert main(["decode", "--hex", blob.hex(), *header, "--format", "json"]) == 0
    vals = _values(_strict(capsys.readouterr().out))
    assert vals["f"] == "inf" and vals["d"] == "nan" and vals["e"] == 0.0
    sets = [a for k, v in vals.items() for a in ("--set", f"{k}={v}")]
    assert main(["encode", *header, *sets, "--format", "hex"]) == 0
    again = bytes.fromhex(capsys.readouterr().out.strip())
    f, d, e = struct.unpack("<f4xdd", again)
    assert f == math.inf and math.isnan(d) and e == 0.0
