"""The key of a SEGV_PKUERR siginfo in the generated models: linux-6.6
carries it in four bytes at the offset the kernel asserts
(tests/kernel_facts.py, written by hand from the kernel's build-time checks;
ia64, gone from the kernel since 6.7, has no such fact); pkeys-u32 in four
bytes and pkeys-u8-reserved in one byte with its three reserved bytes after
it, both proposals that place the key after ``_addr_bnd`` where no kernel
asserts it: there the offset is the one the ABI's gcc gives
``offsetof(siginfo_t, si_pkey)`` (the layout's where that gcc is absent).
Nothing in the model code names siginfo; the layouts decide."""
from __future__ import annotations

import construct
import pytest

from kernel_facts import SIGINFO_OFFSETS, abi_class
from views.model_cases import siginfo
from views.elf_oracle import gcc_of, gcc_offsetof
from abicheck import api
from abicheck.targets import all_targets
from abicheck.views import construct_model as cm

TARGETS = [t for t in all_targets()]


def _key(hset, t, value, extra=None):
    tr, lay = siginfo(hset, t.name)
    (f,) = api.resolve_fields(tr, [lay], ["si_pkey"])["siginfo_t"]
    paths = cm.field_paths(lay, tr)
    vals = {f["path"]: value, **(extra(f["path"]) if extra else {})}
    if hset == "linux-6.6":
        off = SIGINFO_OFFSETS[abi_class(t)]["si_pkey"]
    elif gcc_of(t):
        off = gcc_offsetof(t, hset, "si_pkey")
    else:
        pytest.skip(f"no gcc for {t.name} to measure {hset}'s si_pkey offset")
    return cm.model(lay, tr).build(cm.nest(vals, paths)), off


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_u8_key_then_three_reserved_bytes(t):
    blob, off = _key("pkeys-u8-reserved", t, 0xA5)
    assert blob[off] == 0xA5 and blob[off + 1:off + 4] == bytes(3)
    assert blob.count(0) == len(blob) - 1
    blob, off = _key("pkeys-u8-reserved", t, 0xA5,
                     lambda p: {p + "_reserved": [1, 2, 3]})
    assert blob[off:off + 4] == bytes([0xA5, 1, 2, 3])
    with pytest.raises(construct.ConstructError):
        _key("pkeys-u8-reserved", t, 0x1A5)      # does not fit a byte


@pytest.mark.parametrize("hset", ["pkeys-u32", "linux-6.6"])
@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_u32_key(t, hset):
    if hset == "linux-6.6" and t.kernel_arch == "ia64":
        pytest.skip("no kernel-asserted siginfo offsets for ia64 (tests/kernel_facts.py)")
    blob, off = _key(hset, t, 0x01020304)
    assert blob[off:off + 4] == (0x01020304).to_bytes(4, "big" if t.byte_order == "big"
                                                      else "little")
    assert blob.count(0) == len(blob) - 4
