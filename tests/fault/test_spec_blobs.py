"""Every simulated blob, on every ABI, against ``specs/siginfo.json`` (the
kernel-asserted offsets and code values, written from the kernel's own
build-time checks): the fields the kernel sets sit at the spec's offsets in
the ABI's byte order, the codes are the spec's constants, and every other
byte is zero."""
from __future__ import annotations

import json
import pathlib

import pytest

from abicheck.targets import all_targets
from fault.helpers import access, alloc, mmap, pkey_mprotect, run

SPEC = json.loads((pathlib.Path(__file__).resolve().parents[2] / "specs" / "siginfo.json")
                  .read_text())


def _offset(accessor, t):
    (check,) = [c for c in SPEC["checks"] if c["kind"] == "field" and c.get("accessor") == accessor
                and "offset" in c]
    off = check["offset"]
    if isinstance(off, int):
        return off
    for key in (t.name, t.kernel_arch, f"{t.pointer_size * 8}-bit", "all"):
        if key in off:
            return off[key]
    raise KeyError(accessor)


def _constant(name):
    return next(c["value"] for c in SPEC["checks"] if c["kind"] == "constant"
                and c["constant"] == name and "value" in c)


def _check(blob, t, values):
    rest = bytearray(blob)
    for acc, (value, size) in values.items():
        off = _offset(acc, t)
        assert blob[off:off + size] == value.to_bytes(size, t.byte_order), (acc, t.name)
        rest[off:off + size] = bytes(size)
    assert rest == bytes(128)


# ia64 is refused by the model (removed in 6.7; tests/fault/test_faults.py)
@pytest.mark.parametrize("t", [t for t in all_targets() if t.kernel_arch != "ia64"],
                         ids=lambda t: t.name)
def test_maperr_and_accerr_blobs_match_the_spec(t):
    r = run([mmap("0x10000000", 65536, "r"), access("write", "0x10000004"),
             access("read", "0x20000008")], t.name)
    ptr = t.pointer_size
    _check(r[1].blob, t, {"si_signo": (11, 4), "si_code": (_constant("SEGV_ACCERR"), 4),
                          "si_addr": (0x10000004, ptr)})
    _check(r[2].blob, t, {"si_signo": (11, 4), "si_code": (_constant("SEGV_MAPERR"), 4),
                          "si_addr": (0x20000008, ptr)})


@pytest.mark.parametrize("name,key", [("x86_64", 1), ("i386", 1), ("x32", 1), ("powerpc64", 4),
                                      ("powerpc64le", 4), ("aarch64", 1)])
def test_pkuerr_blobs_match_the_spec(name, key):
    t = next(t for t in all_targets() if t.name == name)
    page = 65536
    r = run([mmap("0x10000000", page, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10000000", page, "rw", key), access("read", "0x10000abc")], name)
    _check(r[3].blob, t, {"si_signo": (11, 4), "si_code": (_constant("SEGV_PKUERR"), 4),
                          "si_addr": (0x10000abc, t.pointer_size), "si_pkey": (key, 4)})
