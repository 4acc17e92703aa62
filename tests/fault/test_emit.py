"""The blobs: the fields the simulator reports, laid out by the generated
construct model, are what the kernel-asserted offsets say (tests/kernel_facts.py,
the kernel's own build-time checks) in the ABI's byte order, with every
other byte zero (clear_siginfo in kernel/signal.c memsets the whole
siginfo; copy_siginfo_to_user32 memsets the compat one); and they decode back
through the model to the reported fields."""
from __future__ import annotations

import pytest

from kernel_facts import SIGINFO_OFFSETS, abi_class
from abicheck.blobs import decode_fields
from abicheck.targets import all_targets
from fault.helpers import access, alloc, mmap, pkey_mprotect, run

KEYED = ["x86_64", "i386", "x32", "powerpc64", "powerpc64le", "aarch64"]


def _pkuerr(target):
    page, key = (65536, 4) if target.startswith("powerpc") else (4096, 1)
    r = run([mmap("0x10000000", page, "rw"), alloc("disable_write"),
             pkey_mprotect("0x10000000", page, "rw", key), access("write", "0x10000abc")], target)
    return r[3], key


@pytest.mark.parametrize("name", KEYED)
def test_pkuerr_blob_bytes_at_kernel_offsets(name):
    t = next(t for t in all_targets() if t.name == name)
    r, key = _pkuerr(name)
    b, order, ptr = r.blob, t.byte_order, t.pointer_size
    offs = SIGINFO_OFFSETS[abi_class(t)]
    assert len(b) == 128
    assert b[0:4] == (11).to_bytes(4, order)          # si_signo at 0 (not MIPS: code at 4)
    assert b[4:8] == bytes(4)                         # si_errno
    assert b[8:12] == (4).to_bytes(4, order)          # si_code = SEGV_PKUERR
    a = offs["si_addr"]
    assert b[a:a + ptr] == (0x10000abc).to_bytes(ptr, order)
    k = offs["si_pkey"]
    assert b[k:k + 4] == key.to_bytes(4, order)
    rest = bytearray(b)
    for off, n in ((0, 4), (8, 4), (a, ptr), (k, 4)):
        rest[off:off + n] = bytes(n)
    assert rest == bytes(128)


# ia64 is refused by the model (removed in 6.7; tests/fault/test_faults.py)
@pytest.mark.parametrize("t", [t for t in all_targets() if t.kernel_arch != "ia64"],
                         ids=lambda t: t.name)
def test_maperr_blob_decodes_to_the_reported_fields_on_every_abi(t):
    r = run([access("read", "0x20000010")], t.name)[0]
    got = decode_fields(r.blob, "siginfo_t", t.name)   # the blob decoder, not the simulator
    assert {k: got.get(k) for k in r.fields} == r.fields
    # MIPS puts si_code before si_errno (arch/mips/include/uapi/asm/siginfo.h)
    code_at = 4 if t.kernel_arch == "mips" else 8
    assert r.blob[code_at:code_at + 4] == (1).to_bytes(4, t.byte_order)


@pytest.mark.parametrize("hset,size", [("pkeys-u8-reserved", 1), ("pkeys-u32", 4)])
def test_the_header_set_decides_where_the_key_goes(hset, size):
    # both proposals put the key after _addr_bnd (siginfo-abi.md): on x86-64 after
    # _addr (0x10, 8 bytes), _addr_lsb (short, padded to 0x20) and two pointers: 0x30
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_write"),
             pkey_mprotect("0x10000000", 4096, "rw", 1), access("write", "0x10000000")],
            headers=hset)[3]
    assert decode_fields(r.blob, "siginfo_t", "x86_64", headers_set=hset)["si_pkey"] == 1
    assert r.blob[0x30:0x30 + size] == (1).to_bytes(size, "little")
    assert r.blob[0x20:0x30] == bytes(16) and r.blob[0x30 + size:] == bytes(128 - 0x30 - size)


def test_a_header_set_without_the_key_is_refused():
    from abicheck.errors import UsageError
    with pytest.raises(UsageError, match="si_pkey"):
        run([mmap("0x10000000", 4096, "rw"), alloc("disable_write"),
             pkey_mprotect("0x10000000", 4096, "rw", 1), access("write", "0x10000000")],
            headers="linux-4.5")


@pytest.mark.parametrize("name", ["x86_64", "i386", "x32", "aarch64", "powerpc64"])
@pytest.mark.parametrize("libc", ["glibc", "musl"])
def test_libc_views_lay_the_kernel_blob_out_identically(name, libc):
    # shared/facts/siginfo-abi.md: glibc's and musl's siginfo_t must agree with the
    # kernel's on every offset on every ABI; a blob built through either is the
    # kernel's byte for byte
    r, key = _pkuerr(name)
    page = 65536 if name.startswith("powerpc") else 4096
    other = run([mmap("0x10000000", page, "rw"), alloc("disable_write"),
                 pkey_mprotect("0x10000000", page, "rw", key), access("write", "0x10000abc")],
                name, headers=libc)[3]
    assert other.blob == r.blob
