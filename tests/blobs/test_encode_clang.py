"""``abicheck encode`` on the ABIs without a Debian cross gcc here (arm64,
arm, powerpc, powerpc64(le), riscv, mips64el, loongarch64): the expected
bytes are packed from libclang's layout of the same headers for that
``-target`` (each field's offset and size, clang's ``ASTRecordLayout``), in
the ABI's byte order, with the kernel's code values and the member paths
the kernel's accessor macros name (both written here by hand from
include/uapi/asm-generic/siginfo.h).  Nothing of abicheck's layout is used
for the expectation."""
from __future__ import annotations

import pytest

from blobs.cases import signo, siginfo_cases
from oracle import NoOracle, pick_oracle
from views.elf_oracle import gcc_of
from abicheck import bundled
from abicheck.blobs import encode_fields
from abicheck.targets import all_targets

#: the kernel's code values (asm-generic/siginfo.h; MIPS numbers SI_TIMER -3)
CODES = {"SEGV_PKUERR": 4, "SEGV_BNDERR": 3, "BUS_MCEERR_AO": 5, "CLD_EXITED": 1,
         "SI_QUEUE": -1, "SYS_SECCOMP": 1, "TRAP_PERF": 6, "SI_TIMER": -2}
#: accessor -> the member path its macro names in the kernel's header
PATHS = {"si_signo": "si_signo", "si_code": "si_code",
         "si_addr": "_sifields._sigfault._addr",
         "si_pkey": "_sifields._sigfault._addr_pkey._pkey",
         "si_lower": "_sifields._sigfault._addr_bnd._lower",
         "si_upper": "_sifields._sigfault._addr_bnd._upper",
         "si_addr_lsb": "_sifields._sigfault._addr_lsb",
         "si_status": "_sifields._sigchld._status", "si_utime": "_sifields._sigchld._utime",
         "si_stime": "_sifields._sigchld._stime", "si_int": "_sifields._rt._sigval.sival_int",
         "si_call_addr": "_sifields._sigsys._call_addr", "si_syscall": "_sifields._sigsys._syscall",
         "si_arch": "_sifields._sigsys._arch", "si_perf_data": "_sifields._sigfault._perf._data",
         "si_perf_type": "_sifields._sigfault._perf._type",
         "si_perf_flags": "_sifields._sigfault._perf._flags",
         "si_tid": "_sifields._timer._tid", "si_overrun": "_sifields._timer._overrun"}


def _oracle(t):
    try:
        o = pick_oracle(t)
    except NoOracle as e:
        pytest.skip(str(e))
    if o.kind != "clang":
        pytest.skip(f"{t.name}: no libclang triple")
    return o


NO_GCC = [t for t in all_targets() if not gcc_of(t) and t.kernel_arch != "ia64"]


@pytest.mark.parametrize("t", NO_GCC, ids=lambda t: t.name)
def test_encode_matches_clang_layout(t):
    o = _oracle(t)
    lay = o.layout("#include <asm/siginfo.h>\n", ["siginfo_t"],
                   [bundled.headers_dir("linux-6.6")])["siginfo_t"]
    where = {m["path"]: (m["offset"], m["size"]) for m in lay["members"]}
    checked = 0
    for name, (sig, code, acc) in siginfo_cases(t).items():
        code_value = -3 if code == "SI_TIMER" and t.kernel_arch == "mips" else CODES[code]
        want = bytearray(lay["size"])
        fields = {"si_signo": signo(t, sig), "si_code": code_value, **acc}
        for a, v in fields.items():
            off, size = where[PATHS.get(a, a)]
            want[off:off + size] = (v % (1 << (8 * size))).to_bytes(size, t.byte_order)
        got = encode_fields("siginfo_t", t, {"si_signo": sig, "si_code": code, **acc})
        assert got == bytes(want), (name, got.hex(), want.hex())
        checked += 1
    assert checked == len(siginfo_cases(t))
