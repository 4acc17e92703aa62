"""Documented kernel facts shared by tests (shared/facts/siginfo-abi.md):
the siginfo offsets the kernel itself asserts (its build-time checks and
selftests), by accessor, per ABI class.  Written by hand on purpose: these
are the kernel's numbers, not ours."""

SIGINFO_OFFSETS = {
    "64": {"si_addr": 0x10, "si_addr_lsb": 0x18, "si_lower": 0x20, "si_upper": 0x28,
           "si_pkey": 0x20, "si_perf_data": 0x18, "si_perf_type": 0x20,
           "si_pid": 0x10, "si_band": 0x10, "si_call_addr": 0x10},
    "32": {"si_addr": 0x0C, "si_addr_lsb": 0x10, "si_lower": 0x14, "si_upper": 0x18,
           "si_pkey": 0x14, "si_perf_data": 0x10, "si_perf_type": 0x14,
           "si_pid": 0x0C, "si_band": 0x0C, "si_call_addr": 0x0C},
    "m68k": {"si_addr": 0x0C, "si_addr_lsb": 0x10, "si_lower": 0x12, "si_upper": 0x16,
             "si_pkey": 0x12, "si_pid": 0x0C, "si_band": 0x0C, "si_call_addr": 0x0C},
}


def abi_class(target) -> str:
    """'m68k', '64' or '32' (x32 has 4-byte pointers: the 32-bit column)."""
    if target.name == "m68k":
        return "m68k"
    return "64" if target.pointer_size == 8 else "32"
