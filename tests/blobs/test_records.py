"""Any record, any ABI: ``struct input_event`` and ``struct inotify_event``
from Debian's linux-libc-dev headers.  The bytes come from the ABI's gcc
(a static designated initializer, read back from the ELF ``.data``); decode
must give the fields, encode the same bytes, and the text is nested like
pahole's --prettify (written by hand here)."""
from __future__ import annotations

import json

import pytest

from blobs.cases import REAL
from debian_headers import include_dirs
from views.elf_oracle import gcc_of, object_bytes, require_elftools, symbol_bytes
from abicheck.blobs import decode_fields, encode_fields
from abicheck.cli import main
from abicheck.targets import all_targets, get_target

require_elftools()
GCC_TARGETS = [t for t in all_targets() if gcc_of(t)]



def gcc_bytes(t, name):
    header, vals = REAL[name]
    dirs = include_dirs(t, header)
    if dirs is None:
        pytest.skip(f"Debian cross headers for {t.name} not installed")
    desig = ", ".join(f".{k} = {v}" for k, v in vals.items())
    src = f"#include <{header}>\n{name} probe = {{{desig}}};\n"
    return symbol_bytes(object_bytes(gcc_of(t), src, dirs, own_headers=True), "probe"), dirs


@pytest.mark.parametrize("name", sorted(REAL))
@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_records_from_gcc(t, name):
    blob, dirs = gcc_bytes(t, name)
    header, vals = REAL[name]
    kw = dict(headers_set=None, headers=[header], include_dirs=dirs)
    got = decode_fields(blob, name, t, **kw)
    assert {k: got[k] for k in vals if k in got} == {k: v for k, v in vals.items() if k in got}
    assert encode_fields(name, t, vals, **kw) == blob


def test_input_event_text_and_json(capsys):
    t = get_target("x86_64")
    blob, dirs = gcc_bytes(t, "struct input_event")
    argv = ["decode", "--hex", blob.hex(), "linux/input.h", "--type", "struct input_event",
            "--target", "x86_64", *[x for d in dirs for x in ("-I", d)]]
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "{\n"
        "\t.time = {\n"
        f"\t\t.tv_sec = {0x61626364},\n"
        f"\t\t.tv_usec = {0x1234},\n"
        "\t},\n"
        "\t.type = 1,\n"
        "\t.code = 30,\n"
        "\t.value = -7,\n"
        "}\n")
    assert main(argv + ["--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # x86_64: a 16-byte timeval, then two __u16 and an __s32
    assert [(f["path"], f["offset"], f["size"]) for f in doc["fields"]] == [
        ("time.tv_sec", 0, 8), ("time.tv_usec", 8, 8), ("type", 16, 2), ("code", 18, 2),
        ("value", 20, 4)]
    assert doc["fields"][4]["bytes"] == "f9ffffff" and doc["fields"][4]["value"] == -7


def test_inotify_event_on_big_endian(capsys):
    t = get_target("s390x")
    if not gcc_of(t):
        pytest.skip("no s390x gcc")
    blob, dirs = gcc_bytes(t, "struct inotify_event")
    assert blob[4:8] == bytes.fromhex("80000100")            # mask, big-endian
    argv = ["decode", "--hex", blob.hex(), "linux/inotify.h", "--type", "struct inotify_event",
            "--target", "s390x", *[x for d in dirs for x in ("-I", d)]]
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "{\n\t.wd = 3,\n\t.mask = 2147483904,\n\t.cookie = 51966,\n\t.len = 16,\n}\n")


@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_bitfields_unions_and_nesting_from_gcc(t, tmp_path):
    """A synthetic record (bitfields crossing bytes, a 40-bit one, bitfields in
    a union and in a packed struct, holes, nested anonymous members, a double,
    a pointer, an enum) set through encode equals gcc's initializer bytes."""
    from views.test_model_bytes import SYNTHETIC, c_init, synthetic_values
    vals = {k: v for k, v in synthetic_values(t).items() if k != "n"}   # n: records in an array
    desig = ", ".join(f".{k} = {'(void *)' if k == 'p' else ''}{c_init(v)}" for k, v in vals.items())
    obj = symbol_bytes(object_bytes(gcc_of(t), SYNTHETIC + f"struct syn probe = {{{desig}}};\n"),
                       "probe")
    hdr = tmp_path / "syn.h"
    hdr.write_text(SYNTHETIC)
    kw = dict(headers_set=None, headers=[str(hdr)])
    assert encode_fields("struct syn", t, vals, **kw) == obj
    back = decode_fields(obj, "struct syn", t, **kw)
    assert {k: back[k] for k in vals} == vals
