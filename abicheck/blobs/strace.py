"""A ``siginfo_t`` blob printed the way strace prints one.

strace (src/printsiginfo.c) prints ``{si_signo=SIGSEGV, si_code=SEGV_PKUERR,
si_addr=0x7ffff7ff8123, si_pkey=1}``: the signal and code by name, then
``si_errno`` only when it is not zero, then the fields of what the code says
happened.  The facts followed here (what strace prints, not its code):

- an all-zero ``si_signo`` prints ``{}``;
- a code is looked up among the generic ``SI_*`` codes first, then among the
  signal's own (``SEGV_*`` for SIGSEGV...); an unknown code prints as
  unsigned 32-bit hex (-100 is ``0xffffff9c``), with no note;
- ``si_errno`` prints as its name, else an unsigned decimal (-5 is ``4294967291``);
- real-time signals print as ``SIGRTMIN`` and ``SIGRT_<n>`` (SIGRTMIN + n),
  a number that is no signal in decimal;
- a code <= 0 (sent by a process): SI_USER and SI_TKILL print ``si_pid``,
  ``si_uid``; SI_TIMER ``si_timerid`` (hex), ``si_overrun``, ``si_int``,
  ``si_ptr``; SI_SIGIO ``si_band``, ``si_fd``; any other ``si_pid``, ``si_uid``
  and, when ``si_ptr`` is not zero, ``si_int``, ``si_ptr``;
- a code > 0, by signal: SIGCHLD ``si_pid``, ``si_uid``, ``si_status`` (a
  number for CLD_EXITED, else a signal name), ``si_utime``, ``si_stime``
  (clock ticks, with the seconds in a comment when not zero:
  ``si_utime=4 /* 0.04 s */`` at 100 ticks a second);
  SIGILL, SIGFPE ``si_addr`` (sparc's SIGILL and alpha's SIGFPE also
  ``si_trapno``); SIGEMT (alpha, MIPS, sparc) has no case of its own in
  strace, so it prints as "any other signal" below; SIGBUS ``si_addr`` and for BUS_MCEERR_AR/AO ``si_addr_lsb``
  (hex); SIGSEGV ``si_addr`` and for SEGV_BNDERR ``si_lower``, ``si_upper``,
  for SEGV_PKUERR ``si_pkey``; SIGTRAP ``si_addr`` and for TRAP_PERF
  ``si_perf_data`` (hex), ``si_perf_type``, ``si_perf_flags`` (by flag name);
  SIGIO/SIGPOLL
  with a POLL_* code ``si_band``, ``si_fd``; SIGSYS ``si_call_addr``,
  ``si_syscall``, ``si_arch``; any other signal ``si_pid``/``si_uid`` when
  either is not zero and ``si_int``/``si_ptr`` when ``si_ptr`` is not zero;
- pointers print as ``NULL`` or hex, ``si_addr_lsb``, ``si_timerid`` and
  ``si_perf_data`` in hex, the rest in decimal.

These facts are checked against the real strace (6.1) by
tests/blobs/test_strace.py.  ``si_errno``, ``si_syscall`` and ``si_arch``
print by name as strace names them (``EFAULT``, ``__NR_write``,
``AUDIT_ARCH_X86_64``), from per-ABI tables read from each ABI's headers
(:mod:`abicheck.blobs.strace_names`); a number without a name prints as
strace prints it.  strace 6.1 prints no ``si_perf_*`` field for TRAP_PERF; abicheck prints the
fields the code selects.  Names of signals and codes come from
the target's headers (through :mod:`abicheck.blobs.tagged`), so a MIPS blob
reads SIGBUS for 10.  A field these headers do not declare (``si_pkey``
before Linux 4.6) is left out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from abicheck.blobs import strace_names as names

if TYPE_CHECKING:
    from abicheck.blobs.decode import Decoded


def _ptr(v: int) -> str:
    return "NULL" if not v else f"{v:#x}"


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _dec(v: int) -> str:
    return str(v)


def _u32_hex(v: int) -> str:
    """An unknown code: strace prints the int as unsigned hex (-100 is 0xffffff9c)."""
    return f"{v & 0xffffffff:#x}"


#: clock ticks per second of the ABI's clock_t (the kernel's USER_HZ: 100,
#: alpha 1024 -- arch/alpha/include/uapi/asm/param.h)
_USER_HZ = {"alpha": 1024}


def _clock(v: int, hz: int) -> str:
    """A clock_t as strace prints it: the ticks, and when not zero the
    seconds in a comment (``4 /* 0.04 s */``)."""
    if v <= 0:
        return str(v)
    width = len(str(hz - 1))
    return f"{v} /* {v // hz}.{v % hz:0{width}d} s */"


class _Printer:
    def __init__(self, d: "Decoded") -> None:
        self.d = d
        self.cx = d.cx
        self.tg = d.cx.tagged
        self.parts: list[str] = []

    def get(self, *names: str):
        for n in names:
            v = self.d.value(n)
            if v is not None:
                return v
        return None

    def put(self, label: str, fmt: Callable[[int], str], *names: str) -> None:
        v = self.get(*(names or (label,)))
        if v is not None:
            self.parts.append(f"{label}={fmt(v)}")

    def source(self) -> None:
        self.put("si_pid", _dec)
        self.put("si_uid", _dec)

    def sigval(self) -> None:
        self.put("si_int", _dec)
        self.put("si_ptr", _ptr)

    def perf_flags(self, v: int) -> str:
        """Flags by the names the headers give them (TRAP_PERF_FLAG_ASYNC),
        joined with ``|``, any other bits in hex, as strace prints flags."""
        if not v:
            return "0"
        names, rest = [], v
        for name in self.cx.macros.with_prefix("TRAP_PERF_FLAG_"):
            bit = self.cx.constant(name)
            if bit and rest & bit == bit:
                names.append(name)
                rest &= ~bit
        if rest:
            names.append(f"{rest:#x}")
        return "|".join(names)

    def signal(self, v: int) -> str:
        return self.tg.signal_name(v) or str(v)

    def text(self) -> str:
        tg, d = self.tg, self.d
        signo = d.values.get(tg.signal_path, 0)
        code = d.values.get(tg.code_path, 0)
        if not signo:
            return "{}"
        self.parts.append(f"si_signo={self.signal(signo)}")
        name = tg.code_name(signo, code)
        self.parts.append(f"si_code={name or _u32_hex(code)}")
        errno = self.get("si_errno")
        if errno:
            self.parts.append(f"si_errno={names.errno_text(self.cx.target, errno)}")
        if code <= 0:
            self.from_user(name)
        else:
            self.from_kernel(tg.signal_name(signo), name)
        return "{" + ", ".join(self.parts) + "}"

    def from_user(self, code: str | None) -> None:
        if code in ("SI_USER", "SI_TKILL"):
            self.source()
        elif code == "SI_TIMER":
            self.put("si_timerid", _hex, "si_timerid", "si_tid")
            self.put("si_overrun", _dec)
            self.sigval()
        elif code == "SI_SIGIO":
            self.put("si_band", _dec)
            self.put("si_fd", _dec)
        else:
            self.source()
            if self.get("si_ptr"):
                self.sigval()

    def from_kernel(self, sig: str | None, code: str | None) -> None:
        arch = self.cx.target.kernel_arch
        if sig == "SIGCHLD":
            self.source()
            status = self.get("si_status")
            if status is not None:
                self.parts.append(f"si_status={status if code == 'CLD_EXITED' else self.signal(status)}")
            hz = _USER_HZ.get(self.cx.target.kernel_arch, 100)
            self.put("si_utime", lambda v: _clock(v, hz))
            self.put("si_stime", lambda v: _clock(v, hz))
        elif sig in ("SIGILL", "SIGFPE"):
            self.put("si_addr", _ptr)
            if (sig == "SIGILL" and arch == "sparc") or (sig == "SIGFPE" and arch == "alpha"):
                self.put("si_trapno", _dec)
        elif sig == "SIGBUS":
            self.put("si_addr", _ptr)
            if code in ("BUS_MCEERR_AR", "BUS_MCEERR_AO"):
                self.put("si_addr_lsb", _hex)
        elif sig == "SIGSEGV":
            self.put("si_addr", _ptr)
            if code == "SEGV_BNDERR":
                self.put("si_lower", _ptr)
                self.put("si_upper", _ptr)
            elif code == "SEGV_PKUERR":
                self.put("si_pkey", _dec)
        elif sig == "SIGTRAP":
            self.put("si_addr", _ptr)
            if code == "TRAP_UNK" and arch == "alpha":
                self.put("si_trapno", _dec)
            elif code == "TRAP_PERF":
                self.put("si_perf_data", _hex)
                self.put("si_perf_type", _hex)
                self.put("si_perf_flags", self.perf_flags)
        elif sig == "SIGIO":
            if code and code.startswith("POLL_"):
                self.put("si_band", _dec)
                self.put("si_fd", _dec)
        elif sig == "SIGSYS":
            self.put("si_call_addr", _ptr)
            arch = self.get("si_arch")
            self.put("si_syscall", lambda v: names.syscall_text(self.cx.target, v, arch))
            self.put("si_arch", names.audit_arch_text)
        else:
            if self.get("si_pid") or self.get("si_uid"):
                self.source()
            if self.get("si_ptr"):
                self.sigval()


def siginfo_text(d: "Decoded") -> str:
    """``d`` (a decoded blob of a type with tagged-union rules) as strace
    prints a siginfo."""
    return _Printer(d).text()
