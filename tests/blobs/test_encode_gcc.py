"""``abicheck encode`` against bytes GCC wrote.

For every ABI with a Debian cross gcc (big-endian s390x, sparc64, mips,
hppa, m68k, powerpc included) and three bundled revisions, one C file
defines a ``siginfo_t`` per case with a static designated initializer
through the headers' own accessor macros (``.si_pkey = 0x5A``), codes by
their macros (``.si_code = SEGV_PKUERR``: gcc evaluates them) and signal
numbers from the kernel facts of tests/blobs/cases.py.  It is compiled with
``-c`` and each object's bytes are read from the ELF ``.data`` section
(pyelftools): nothing is run.  The library's and the CLI's encode of the
same fields (signals and codes by name) must give exactly those bytes, and
decode must give the fields back (and zeros for the member's other fields)."""
from __future__ import annotations

import functools

import pytest

from blobs.cases import signo, siginfo_cases
from views.elf_oracle import gcc_of, object_bytes, require_elftools, symbol_bytes
from abicheck import bundled
from abicheck.blobs import context, decode_fields, encode_fields
from abicheck.blobs.decode import decode
from abicheck.cli import main
from abicheck.targets import all_targets

require_elftools()
GCC_TARGETS = [t for t in all_targets() if gcc_of(t)]
SETS = ("linux-6.6", "pkeys-u32", "pkeys-u8-reserved")


def applicable(t, hset):
    """The cases these headers can express on ``t``: every accessor and the
    code macro defined."""
    cx = context("siginfo_t", t, hset)
    out = {}
    for name, (sig, code, acc) in siginfo_cases(t).items():
        if cx.constant(code) is None or any(cx.layout.member(cx.accessors.get(a, a)) is None
                                            for a in acc):
            continue
        out[name] = (sig, code, acc)
    return out


@functools.cache
def gcc_blobs(tname: str, hset: str) -> dict[str, bytes]:
    t = next(x for x in all_targets() if x.name == tname)
    cases = applicable(t, hset)
    src = ["#include <asm/siginfo.h>"]
    for name, (sig, code, acc) in cases.items():
        inits = [f".si_signo = {signo(t, sig)}", f".si_code = {code}"]
        for a, v in acc.items():
            cast = "(void *)" if a in ("si_addr", "si_lower", "si_upper", "si_call_addr") else ""
            inits.append(f".{a} = {cast}{v}LL" if v >= 0 else f".{a} = {v}")
        src.append(f"siginfo_t probe_{name} = {{{', '.join(inits)}}};")
    obj = object_bytes(gcc_of(t), "\n".join(src) + "\n", [bundled.headers_dir(hset)])
    return {name: symbol_bytes(obj, f"probe_{name}") for name in cases}


@pytest.mark.parametrize("hset", SETS)
@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_encode_matches_gcc(t, hset):
    blobs = gcc_blobs(t.name, hset)
    assert "pkuerr" in blobs and "chld" in blobs
    for name, (sig, code, acc) in applicable(t, hset).items():
        fields = {"si_signo": sig, "si_code": code, **acc}
        got = encode_fields("siginfo_t", t, fields, headers_set=hset)
        assert got == blobs[name], (name, got.hex(), blobs[name].hex())
        back = decode_fields(blobs[name], "siginfo_t", t, headers_set=hset)
        assert back["si_signo"] == signo(t, sig) and back["si_errno"] == 0
        cx = context("siginfo_t", t, hset)
        assert back["si_code"] == cx.constant(code)
        whole = decode(cx, blobs[name]).values
        for a, v in acc.items():
            got = back[a] if a in back else whole[a]
            assert got == v, (name, a)
        # the member's fields the case leaves unset decode as zero
        offsets = {cx.leaves[cx.accessors.get(a, a)].offset for a in acc}
        rest = [k for k in back if k not in acc and k not in ("si_signo", "si_code")
                and cx.leaves[cx.accessors.get(k, k)].offset not in offsets]
        assert all(back[k] == 0 for k in rest), back


@pytest.mark.parametrize("t", [t for t in GCC_TARGETS
                               if t.name in ("x86_64", "mips", "s390x", "m68k", "i386")],
                         ids=lambda t: t.name)
def test_cli_encode_matches_gcc(t, tmp_path, capsysbinary):
    blob = gcc_blobs(t.name, "linux-6.6")["pkuerr"]
    _, _, acc = siginfo_cases(t)["pkuerr"]
    out = tmp_path / "b.bin"
    argv = ["encode", "--target", t.name, "--set", "si_signo=SIGSEGV", "--set",
            "si_code=SEGV_PKUERR", *[x for a, v in acc.items() for x in ("--set", f"{a}={v:#x}")]]
    assert main(argv + ["-o", str(out)]) == 0
    assert out.read_bytes() == blob
    capsysbinary.readouterr()
    assert main(argv) == 0                       # raw bytes to a non-terminal stdout
    assert capsysbinary.readouterr().out == blob
    assert main(argv + ["--format", "hex"]) == 0
    assert capsysbinary.readouterr().out == blob.hex().encode() + b"\n"


def test_some_big_endian_abis_have_a_gcc():
    big = {t.name for t in GCC_TARGETS if t.byte_order == "big"}
    if len(big) < 3:
        pytest.skip("fewer than 3 big-endian cross gccs installed")
    assert {"s390x", "sparc64", "mips"} & big
