"""``abicheck validate``: blobs abicheck emits validate on every target; hand-
corrupted ones are each caught with their own finding id.  The corrupted
bytes are placed from documented facts, not from abicheck's layout: the
kernel-asserted offsets (tests/kernel_facts.py), the 128-byte SI_MAX_SIZE,
the 64-bit preamble hole (``_sifields`` at 16 after three ints), and the
protection-key counts (16 on x86, 32 on powerpc, 8 on arm64)."""
from __future__ import annotations

import json

import pytest

from blobs.cases import siginfo_cases
from kernel_facts import SIGINFO_OFFSETS, abi_class
from abicheck.blobs import context, encode_fields
from abicheck.checks.blob import validate_blob
from abicheck.cli import main
from abicheck.targets import all_targets, get_target

TARGETS = all_targets()


def findings(t, blob, hset="linux-6.6"):
    return [f.id for f in validate_blob(context("siginfo_t", t, hset), blob).findings]


def pkuerr(t, key=1, hset="linux-6.6"):
    return encode_fields("siginfo_t", t, {"si_signo": "SIGSEGV", "si_code": "SEGV_PKUERR",
                                          "si_addr": 0x1000, "si_pkey": key}, headers_set=hset)


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_emitted_blobs_validate(t):
    cx = context("siginfo_t", t)
    for name, (sig, code, acc) in siginfo_cases(t).items():
        if cx.constant(code) is None:
            continue                         # ia64 has no SEGV_PKUERR
        if "si_pkey" in acc:
            acc = {**acc, "si_pkey": 5}          # a key every protection-key ABI has
        blob = encode_fields("siginfo_t", t, {"si_signo": sig, "si_code": code, **acc})
        report = validate_blob(cx, blob)
        assert not report.failed, (name, [f.message for f in report.findings])
        assert [r.passed for r in report.results][:3] == [True, True, True]


def _set(blob: bytes, off: int, value: int) -> bytes:
    b = bytearray(blob)
    b[off] = value
    return bytes(b)


NOT_IA64 = [t for t in TARGETS if t.kernel_arch != "ia64"]


@pytest.mark.parametrize("t", NOT_IA64, ids=lambda t: t.name)
def test_field_outside_the_member(t):
    # si_upper belongs to SEGV_BNDERR's member, not SEGV_PKUERR's
    off = SIGINFO_OFFSETS[abi_class(t)]["si_upper"]
    assert findings(t, _set(pkuerr(t), off, 0x77)) == ["ABI502"]


@pytest.mark.parametrize("t", NOT_IA64, ids=lambda t: t.name)
def test_wrong_size(t):
    assert findings(t, pkuerr(t)[:127]) == ["ABI500"]
    assert findings(t, pkuerr(t) + b"\0") == ["ABI500"]


def test_unknown_code():
    t = get_target("x86_64")
    blob = _set(pkuerr(t), 8, 42)           # si_code at 8, 42: no SEGV_ code
    assert "ABI501" in findings(t, blob)


def test_padding_in_the_64_bit_preamble():
    t = get_target("x86_64")
    assert findings(t, _set(pkuerr(t), 13, 1)) == ["ABI504"]


@pytest.mark.parametrize("tname,keys", [("x86_64", 16), ("i386", 16), ("powerpc64le", 32),
                                        ("powerpc", 32), ("aarch64", 8)])
def test_key_range(tname, keys):
    t = get_target(tname)
    assert findings(t, pkuerr(t, keys - 1)) == []
    assert findings(t, pkuerr(t, keys)) == ["ABI505"]


def test_no_key_bound_without_protection_keys():
    t = get_target("riscv64")
    assert findings(t, pkuerr(t, 1000)) == []


def test_plain_record_checks_padding(tmp_path):
    src = tmp_path / "r.h"
    src.write_text("struct r { char c; int i; };\n")
    cx = context("struct r", "x86_64", None, [str(src)])
    rep = validate_blob(cx, bytes([1, 0, 0, 0, 2, 0, 0, 0]))
    assert not rep.failed
    assert [f.id for f in validate_blob(cx, bytes([1, 9, 0, 0, 2, 0, 0, 0])).findings] == ["ABI504"]
    # the tagged-union checks do not apply to it
    assert {r.id: r.passed for r in rep.results}["ABI501"] is None


FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_formats_and_exit(fmt, tmp_path, capsys):
    t = get_target("x86_64")
    good, bad = tmp_path / "good.bin", tmp_path / "bad.bin"
    good.write_bytes(pkuerr(t))
    bad.write_bytes(pkuerr(t, 16))
    assert main(["validate", str(good), "--target", "x86_64", "--format", fmt]) == 0
    out_good = capsys.readouterr().out
    assert main(["validate", str(bad), "--target", "x86_64", "--format", fmt]) == 1
    out_bad = capsys.readouterr().out
    assert "at most 15" in out_bad and "at most 15" not in out_good
    assert main(["validate", str(bad), "--target", "x86_64", "--format", fmt, "--exit-zero"]) == 0
    capsys.readouterr()
    if fmt == "json":
        import jsonschema
        from importlib import resources
        schema = json.loads(resources.files("abicheck").joinpath(
            "schemas/report.schema.json").read_text())
        jsonschema.validate(json.loads(out_bad), schema)


def test_cli_validate_with_spec_option(tmp_path, capsys):
    from abicheck.checks.spec import bundled_spec
    t = get_target("x86_64")
    blob = tmp_path / "b.bin"
    blob.write_bytes(pkuerr(t))
    spec = json.loads(open(bundled_spec()).read())
    spec["layouts"][0]["ranges"][0]["max"] = {"x86": 0}
    spec["$schema"] = "x"
    alt = tmp_path / "alt.json"
    alt.write_text(json.dumps(spec))
    assert main(["validate", str(blob), "--target", "x86_64", "--spec", str(alt)]) == 1
    assert "ABI505" in capsys.readouterr().out


def test_filler_before_the_key_is_reserved():
    # linux-6.6 pads the fault union with max(alignof(void *), sizeof(short))
    # bytes before _pkey (shared/facts/siginfo-abi.md): on x86_64 bytes 24..31,
    # of which 24..25 are also si_addr_lsb; byte 26 is only filler
    t = get_target("x86_64")
    assert findings(t, _set(pkuerr(t), 26, 1)) == ["ABI503"]
    assert findings(t, _set(pkuerr(t), 24, 1)) == ["ABI502"]      # si_addr_lsb: another member's
