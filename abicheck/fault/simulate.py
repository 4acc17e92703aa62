"""Running a scenario against the kernel model: one result per op.

``simulate`` keeps the process state a real run would have -- the address
space (``vma.AddressSpace``), the key register and allocation map
(``keys``), the alternate signal stack -- and performs each op as the
system call or instruction would (mm/mmap.c, mm/mprotect.c,
kernel/signal.c), asking ``kernel`` what an access does and ``delivery``
whether the signal reaches the handler.  A process the kernel kills ends the
list of results, as the real program ends.

How the self-test performs the ops (abicheck/fault/selftest.py) is modelled
where it is observable: an ``exec`` access calls a ``ret`` instruction the
program stored in the page at the mmap (mapped read-write, filled, then
given its prot), so those pages are present from the mmap on; after a
handled fault the program puts the key register back as sigreturn would.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from abicheck.errors import UsageError
from abicheck.fault import delivery, emit, kernel as k
from abicheck.fault.keys import RIGHTS, model_for
from abicheck.fault.scenario import (REGISTER_OPS, Op, ScenarioError, exec_targets, normalise,
                                     validate)
from abicheck.fault.vma import AddressSpace, prot_letters

KERNELS = ("6.1", "6.12")
DEFAULT_KERNEL = "6.12"
DEFAULT_TARGET = "x86_64"
PAGING = tuple(k.X86_64_PAGING)
EINVAL, ENOMEM = 22, 12

#: kernel architectures the model refuses: ia64 was removed in Linux 6.7 (no
#: 6.12 to model) and its 6.1 fault path sets si_flags and si_isr
#: (``force_sig_fault(..., 0, __ISR_VALID, isr)``, arch/ia64/mm/fault.c),
#: which the generic model does not.
UNMODELLED = {"ia64": "ia64 is not modelled (removed in Linux 6.7; its 6.1 fault path "
                      "sets si_flags and si_isr, which the model does not)"}


def min_sigstksz(tgt) -> int:
    """MINSIGSTKSZ, the smallest stack ``sigaltstack`` accepts (kernel/signal.c
    ``do_sigaltstack``: smaller is -ENOMEM): the target row's, read from each
    ABI's asm/signal.h (it differs within a kernel arch: 64-bit powerpc)."""
    if tgt.minsigstksz is None:
        raise ValueError(f"target {tgt.name} has no minsigstksz in the target table")
    return tgt.minsigstksz


def simulable(tgt) -> bool:
    """Whether the model covers the target's kernel architecture."""
    return tgt.kernel_arch not in UNMODELLED


@dataclass
class OpResult:
    """The result of op ``index``.  Non-access ops: ``ret`` and ``errno``
    (0 on success; ret -1 and the errno number on failure).  Accesses:
    ``fault``; when it faulted, the signal, its code, the ``fields`` the
    kernel set (every other byte of the siginfo is zero) and the 128-byte
    ``blob`` in the target's memory order; ``killed`` is the signal that
    killed the process when the signal could not be delivered (``delivered``
    then says whether the siginfo reached a frame at all)."""

    index: int
    op: str
    ret: int | None = None
    errno: int | None = None
    fault: bool | None = None
    signo: int | None = None
    signal: str | None = None
    code: int | None = None
    code_name: str | None = None
    fields: dict = field(default_factory=dict)
    blob: bytes | None = None
    killed: int | None = None
    delivered: bool | None = None
    rule: str | None = None

    def to_json(self) -> dict:
        out: dict = {"index": self.index, "op": self.op}
        if self.op != "access":
            out.update(ret=self.ret, errno=self.errno)
            return out
        out["fault"] = bool(self.fault)
        if self.fault:
            out.update(signo=self.signo, signal=self.signal, code=self.code,
                       code_name=self.code_name, fields=self.fields,
                       blob_hex=self.blob.hex() if self.blob else None,
                       delivered=self.delivered)
        if self.killed is not None:
            out["killed"] = {"signo": self.killed}
        out["rule"] = self.rule
        return out

    def record(self) -> dict:
        """The result in the real-kernel record format (tests/fault/kernel_runs)."""
        if self.killed is not None:
            return {"index": self.index, "op": self.op, "killed": {"signo": self.killed}}
        if self.op != "access":
            return {"index": self.index, "op": self.op, "ret": self.ret, "errno": self.errno}
        if not self.fault:
            return {"index": self.index, "op": self.op, "fault": False}
        return {"index": self.index, "op": self.op, "fault": True, "signo": self.signo,
                "code": self.code, "blob_hex": self.blob.hex()}


def choose(scenario: dict, target: str | None, headers: str | None, kernel: str | None,
           file: str = "<scenario>"):
    """(target, headers set, kernel): the argument, else the scenario's, else
    the default.  A bad value from the command line is a usage error; one
    from the scenario names its JSON path."""
    import os

    from abicheck import bundled
    from abicheck.errors import AbicheckError
    from abicheck.targets import get_target

    def fail(key: str, given, e: Exception):
        msg = str(getattr(e, "msg", e))
        if given is None:                       # it came from the scenario
            raise ScenarioError(file, key, msg) from None
        raise UsageError(msg) from None

    try:
        tgt = get_target(target or scenario.get("target") or DEFAULT_TARGET)
    except (AbicheckError, KeyError, ValueError) as e:
        fail("target", target, e)
    if not simulable(tgt):
        fail("target", target, UsageError(UNMODELLED[tgt.kernel_arch]))
    kv = kernel or scenario.get("kernel") or DEFAULT_KERNEL
    if kv not in KERNELS:
        fail("kernel", kernel, UsageError(f"no model of kernel {kv!r} (have: {', '.join(KERNELS)})"))
    hset = headers or scenario.get("headers") or emit.DEFAULT_HEADERS
    if not os.path.isdir(hset):
        try:
            bundled.headers_dir(hset)
        except AbicheckError as e:
            fail("headers", headers, e)
    return tgt, hset, kv


def simulate(scenario: dict, *, target: str | None = None, headers: str | None = None,
             kernel: str | None = None, file: str = "<scenario>",
             paging: str | None = None) -> list[OpResult]:
    """The results of every op of ``scenario`` (see the module doc).
    ``paging`` (x86-64 only; else the scenario's ``paging``, else 4-level)
    says where the user address space ends (``kernel.X86_64_PAGING``)."""
    validate(scenario, file)
    tgt, hset, kv = choose(scenario, target, headers, kernel, file)
    pg = paging or scenario.get("paging") or k.DEFAULT_PAGING
    if pg not in PAGING:
        raise UsageError(f"no paging mode {pg!r} (have: {', '.join(PAGING)})")
    return _Run(tgt, hset, kv, file, pg).run(scenario)


class _Run:
    def __init__(self, tgt, hset: str, kv: str, file: str, paging: str) -> None:
        self.t, self.hset, self.kernel, self.file = tgt, hset, kv, file
        self.paging = paging
        self.bits = tgt.pointer_size * 8
        self.keys = model_for(tgt.kernel_arch, kv, tgt.pointer_size)
        # 64 KiB pages on the powerpc kernels that have keys (Debian ppc64el's
        # CONFIG_PPC_64K_PAGES), 4 KiB elsewhere
        self.space = AddressSpace(65536 if self.keys.arch == "powerpc" else 4096)
        self.alt: delivery.AltStack | None = None
        self.got: set[int] = {0}     # keys the program could name: 0 and every key returned

    def err(self, op: Op, key: str, msg: str) -> ScenarioError:
        return ScenarioError(self.file, f"{op.path}.{key}" if key else op.path, msg)

    def run(self, scenario: dict) -> list[OpResult]:
        self.user_end = k.user_end(self.keys, self.bits, self.paging)
        ops = normalise(scenario, self.file, self.bits, self.keys.register_op, self.t.name,
                        self.user_end)
        fills = exec_targets(ops)
        out: list[OpResult] = []
        for op in ops:
            name = "wrreg" if op.op in REGISTER_OPS else op.op
            r = getattr(self, "op_" + name)(op, fills)
            out.append(r)
            if r.killed is not None:
                break
        return out

    # ------------------------------------------------------------ memory
    def _aligned(self, addr: int) -> bool:
        return addr % self.space.page == 0

    def op_mmap(self, op: Op, fills) -> OpResult:
        """``mmap(addr, len, prot, MAP_FIXED_NOREPLACE|MAP_PRIVATE|MAP_ANONYMOUS)``:
        EINVAL for an unaligned address or a zero length, ENOMEM past the
        user address space (``get_unmapped_area``; on x86 TASK_SIZE_MAX of the
        paging mode, and IA32_PAGE_OFFSET for i386 and x32 processes), and EEXIST over an
        existing mapping -- which a scenario may not ask for (the program
        would abort), so that is a scenario error."""
        addr, length, prot = op["addr"], op["length"], prot_letters(op["prot"])
        if not self._aligned(addr) or length == 0:
            return self._ret(op, -EINVAL)
        end = addr + self.space.round(length)
        if self.keys.arch == "x86" and end > self.user_end:
            return self._ret(op, -ENOMEM)
        clash = self.space.overlapping(addr, end)
        if clash:
            v = clash[0]
            raise self.err(op, "addr", f"[{addr:#x}, {end:#x}) overlaps the mapping "
                           f"[{v.start:#x}, {v.end:#x}) made before (MAP_FIXED_NOREPLACE: EEXIST)")
        if op.index in fills:        # the self-test stores a ret there, then applies prot
            self.space.map(addr, length, "rw", 0)
            for a in fills[op.index]:
                self.space.touch(a)
            if prot != "rw":
                self.space.change(addr, end, prot,
                                  lambda v: self.keys.mprotect_key(v.pkey, v.prot, prot, -1))
        else:
            self.space.map(addr, length, prot, self.keys.mmap_key(prot))
        return self._ret(op, addr)

    def _protect(self, op: Op, pkey: int) -> OpResult:
        """``do_mprotect_pkey`` (mm/mprotect.c): EINVAL for an unaligned start;
        0 for a zero length; EINVAL for a key not allocated
        (``mm_pkey_is_allocated``); ENOMEM when no VMA holds the start; then VMA
        by VMA, stopping with ENOMEM at a hole (what came before stays changed)."""
        addr, length, prot = op["addr"], op["length"], prot_letters(op["prot"])
        if not self._aligned(addr):
            return self._ret(op, -EINVAL)
        if length == 0:
            return self._ret(op, 0)
        if pkey != -1 and not self.keys.is_allocated(pkey):
            return self._ret(op, -EINVAL)
        end = addr + self.space.round(length)
        stop = self.space.covered(addr, end)
        if stop > addr:
            self.space.change(addr, stop, prot,
                              lambda v: self.keys.mprotect_key(v.pkey, v.prot, prot, pkey))
        return self._ret(op, 0 if stop >= end else -ENOMEM)

    def op_mprotect(self, op: Op, fills) -> OpResult:
        return self._protect(op, -1)

    def op_pkey_mprotect(self, op: Op, fills) -> OpResult:
        if op["pkey"] not in self.got and op["pkey"] != -1:
            raise self.err(op, "pkey", f"key {op['pkey']} was never allocated (no earlier "
                           "pkey_alloc returned it)")
        if not self.keys.syscalls:   # sys_ni_syscall: nothing changes (keys.NoKeySyscalls)
            return self._ret(op, -self.keys.enosys)
        return self._protect(op, op["pkey"])

    def op_munmap(self, op: Op, fills) -> OpResult:
        """``munmap``: EINVAL unaligned, zero length, or past TASK_SIZE
        (``do_vmi_munmap``: ``start > TASK_SIZE || len > TASK_SIZE - start``,
        where the model knows TASK_SIZE), else 0 (unmapped parts of the range
        are fine)."""
        if not self._aligned(op["addr"]) or op["length"] == 0 or \
                (self.keys.arch == "x86" and op["addr"] + op["length"] > self.user_end):
            return self._ret(op, -EINVAL)
        self.space.unmap(op["addr"], op["length"])
        return self._ret(op, 0)

    # ------------------------------------------------------------ keys
    def op_pkey_alloc(self, op: Op, fills) -> OpResult:
        r = self.keys.alloc(0, RIGHTS[op["rights"]])
        if r >= 0:
            self.got.add(r)
        return self._ret(op, r)

    def op_pkey_free(self, op: Op, fills) -> OpResult:
        if op["pkey"] not in self.got:
            raise self.err(op, "pkey", f"key {op['pkey']} was never allocated (no earlier "
                           "pkey_alloc returned it)")
        return self._ret(op, self.keys.free(op["pkey"]))

    def op_wrreg(self, op: Op, fills) -> OpResult:
        """``wrpkru`` / ``mtspr AMR`` / ``msr POR_EL0``: the thread's register
        (normalise() already refused the ops of other architectures)."""
        if op["value"] >> self.keys.register_bits:
            raise self.err(op, "value", f"{op['value']:#x} does not fit the "
                           f"{self.keys.register_bits}-bit {self.keys.register}")
        self.keys.write_register(op["value"])
        return self._ret(op, 0)

    def op_sigaltstack(self, op: Op, fills) -> OpResult:
        """``sigaltstack({addr, 0, length})``: ENOMEM below the ABI's
        MINSIGSTKSZ (``min_sigstksz``; kernel/signal.c ``do_sigaltstack``);
        the stack is not checked until a signal uses it."""
        if op["length"] < min_sigstksz(self.t):
            return self._ret(op, -ENOMEM)
        self.alt = delivery.AltStack(op["addr"], op["length"])
        return self._ret(op, 0)

    def op_syscall_read_from(self, op: Op, fills) -> OpResult:
        ret, errno = k.kernel_read(self.space, self.keys, op["addr"], op["length"], self.bits,
                                   self.paging)
        return OpResult(op.index, op.op, ret=ret, errno=errno)

    # ------------------------------------------------------------ accesses
    def op_access(self, op: Op, fills) -> OpResult:
        kind, addr = op["access"], op["addr"]
        race = op.get("racing_munmap")
        if race and (not self._aligned(race["addr"]) or race["length"] == 0):
            race = None               # the other thread's munmap fails (EINVAL): no race
        if race and race.get("when", "after_lookup") == "before_lookup" and \
                _hardware_faults(self.space, self.keys, kind, addr):
            self.space.unmap(race["addr"], race["length"])
            race = None
        out = k.user_access(self.space, self.keys, kind, addr, self.bits, self.paging,
                            self.kernel)
        if race:                      # after the lookup: the decision stands
            self.space.unmap(race["addr"], race["length"])
        r = OpResult(op.index, op.op, fault=out.fault is not None, rule=out.rule)
        if out.fault is None:
            return r
        f = out.fault
        r.signo, r.signal, r.code, r.code_name = f.signo, "SIGSEGV", f.code, f.code_name
        r.fields = {"si_signo": f.signo, "si_errno": 0, "si_code": f.code}
        if f.addr is not None:
            r.fields["si_addr"] = f.addr
        if f.pkey is not None:
            r.fields["si_pkey"] = f.pkey
        r.blob = emit.encode(self.t.name, self.hset, r.fields)
        d = delivery.deliver(self.space, self.keys, self.alt, self.kernel)
        r.delivered, r.killed = d.delivered, d.killed
        r.rule = f"{out.rule}; {d.rule}"
        return r

    def _ret(self, op: Op, value: int) -> OpResult:
        if value < 0:
            return OpResult(op.index, op.op, ret=-1, errno=-value)
        return OpResult(op.index, op.op, ret=value, errno=0)


def _hardware_faults(space: AddressSpace, keys, kind: str, addr: int) -> bool:
    """Whether the CPU traps at all (so there is a fault to race with): a
    page not present, or one whose protection or key refuses the access."""
    if not space.is_present(addr):
        return True
    v = space.find(addr)
    need = {"read": "rwx", "write": "w", "exec": "x"}[kind]
    return v is None or not any(c in v.prot for c in need) or not keys.allows(v.pkey, kind)
