"""The protection key in encoded SEGV_PKUERR blobs: ``pkeys-u8-reserved``
carries it in one byte followed by three zero reserved bytes;
``pkeys-u32`` and ``linux-6.6`` in four bytes.  The offset is the one the
kernel asserts for linux-6.6 (tests/kernel_facts.py, by hand from the
kernel's build-time checks), and for the two review-era proposals, which no
kernel shipped, the one the ABI's gcc gives ``offsetof(siginfo_t, si_pkey)``
(skipped without that gcc)."""
from __future__ import annotations

import pytest

from kernel_facts import SIGINFO_OFFSETS, abi_class
from views.elf_oracle import gcc_of, gcc_offsetof
from abicheck.blobs import decode_fields, encode_fields
from abicheck.checks.blob import validate_blob
from abicheck.blobs import context
from abicheck.targets import all_targets

TARGETS = [t for t in all_targets() if t.kernel_arch != "ia64"]   # no SEGV_PKUERR there


def key_offset(t, hset: str) -> int:
    if hset == "linux-6.6":
        return SIGINFO_OFFSETS[abi_class(t)]["si_pkey"]
    if not gcc_of(t):
        pytest.skip(f"no gcc for {t.name} to measure {hset}'s si_pkey offset")
    return gcc_offsetof(t, hset, "si_pkey")


def pkuerr(t, hset: str, key: int) -> bytes:
    return encode_fields("siginfo_t", t, {"si_signo": "SIGSEGV", "si_code": "SEGV_PKUERR",
                                          "si_pkey": key}, headers_set=hset)


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_u8_key_and_three_reserved_bytes(t):
    off = key_offset(t, "pkeys-u8-reserved")
    blob = pkuerr(t, "pkeys-u8-reserved", 0xA5)
    assert blob[off] == 0xA5 and blob[off + 1:off + 4] == bytes(3)
    assert decode_fields(blob, "siginfo_t", t, headers_set="pkeys-u8-reserved")["si_pkey"] == 0xA5
    with pytest.raises(Exception, match="does not fit an unsigned 8-bit member"):
        pkuerr(t, "pkeys-u8-reserved", 0x100)


@pytest.mark.parametrize("hset", ["pkeys-u32", "linux-6.6"])
@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_u32_key(t, hset):
    off = key_offset(t, hset)
    blob = pkuerr(t, hset, 0x01020304)
    assert blob[off:off + 4] == (0x01020304).to_bytes(4, t.byte_order)
    # nothing else but the signal and code
    assert blob[12:].count(0) == len(blob) - 12 - 4


@pytest.mark.parametrize("t", [t for t in TARGETS if t.name in ("x86_64", "i386", "m68k", "s390x")],
                         ids=lambda t: t.name)
def test_reserved_byte_after_u8_key_is_caught(t):
    off = key_offset(t, "pkeys-u8-reserved")
    blob = bytearray(pkuerr(t, "pkeys-u8-reserved", 3))
    blob[off + 2] = 0x40
    cx = context("siginfo_t", t, "pkeys-u8-reserved")
    ids = [f.id for f in validate_blob(cx, bytes(blob)).findings]
    assert ids == ["ABI503"]
