"""A record ending in a flexible array member decodes a blob longer than
sizeof, the tail read as that array: ``struct inotify_event`` followed by
its ``name`` bytes, as read(2) returns it (inotify(7): four 32-bit fields,
then ``len`` bytes of name; packed here by hand).  Other records refuse a
longer blob with the reason."""
from __future__ import annotations

import json
import os
import struct

import pytest

from abicheck.cli import main

HOST = ["linux/inotify.h", "-I", "/usr/include/x86_64-linux-gnu", "-I", "/usr/include",
        "--target", "x86_64", "--type", "struct inotify_event"]
NAME = b"file.txt" + bytes(8)


@pytest.fixture
def event() -> bytes:
    if not os.path.isfile("/usr/include/linux/inotify.h"):
        pytest.skip("no host linux/inotify.h")
    return struct.pack("<iIII", 3, 0x80000100, 0xCAFE, len(NAME)) + NAME


def test_text_prints_the_tail(event, capsys):
    assert main(["decode", "--hex", event.hex(), *HOST]) == 0
    out = capsys.readouterr().out
    assert "\t.len = 16,\n" in out
    assert "\t.name = { " + ", ".join(str(b) for b in NAME) + " },\n" in out


def test_json_has_the_tail(event, capsys):
    assert main(["decode", "--hex", event.hex(), *HOST, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    fields = {f["name"]: f for f in doc["fields"]}
    assert fields["name"]["offset"] == 16 and fields["name"]["size"] == len(NAME)
    assert bytes(fields["name"]["value"]) == NAME and fields["wd"]["value"] == 3
    assert doc["size"] == 16 + len(NAME)


def test_just_the_record(event, capsys):
    assert main(["decode", "--hex", event[:16].hex(), *HOST]) == 0
    assert ".name" not in capsys.readouterr().out


def test_a_record_without_a_flexible_member_refuses_a_longer_blob(capsys):
    assert main(["decode", "--hex", "00" * 129, "--target", "x86_64"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no flexible array member" in err


def test_validate_accepts_the_tail(event, capsys):
    # read(2) hands back the record and its name: the size check counts
    # the flexible tail, as decode does
    assert main(["validate", "--hex", event.hex(), *HOST, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    text = json.dumps(doc)
    assert "ABI500" in text and '"error"' not in text


def test_validate_still_refuses_a_longer_fixed_record(capsys):
    assert main(["validate", "--hex", "00" * 129, "--target", "x86_64"]) == 1
    assert "ABI500" in capsys.readouterr().out
