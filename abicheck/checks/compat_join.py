"""What one view says about a type on one target, and the join of two views.

The kernel and a C library declare the same bytes with different member
names (``_sifields._sigfault._addr_pkey._pkey`` in the kernel,
``_sifields._sigfault._bounds._pkey`` in glibc, yet another path in musl),
so members are joined by the public accessor macros both publish
(``si_pkey``), each resolved through its own view's macro table to its own
member path.  Types without accessor macros are joined by member path,
with ``--map KERNEL_PATH=LIBC_PATH`` for members named differently.

For siginfo the code constants (``SEGV_PKUERR``...) are compared too:
glibc declares them as enum constants behind ``#define NAME NAME``, which
the macro table evaluates through the enum.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from abicheck import bundled, model as m
from abicheck.errors import SourceLoc, UsageError
from abicheck.layout import Layouter, Member, TypeLayout
from abicheck.scalars import is_float, signedness

#: Public accessor names of siginfo_t, in the order users read them; a
#: "a/b" entry is one field the views spell either way (the kernel's
#: ``si_tid``, glibc's ``si_timerid``).
SIGINFO_ACCESSORS = (
    "si_signo", "si_errno", "si_code", "si_pid", "si_uid", "si_status", "si_utime",
    "si_stime", "si_value", "si_int", "si_ptr", "si_tid/si_timerid", "si_overrun",
    "si_addr", "si_addr_lsb", "si_trapno", "si_lower", "si_upper", "si_pkey",
    "si_perf_data", "si_perf_type", "si_perf_flags", "si_band", "si_fd", "si_call_addr",
    "si_syscall", "si_arch")
#: Members the siginfo head declares directly (no macro in any view).
DIRECT = frozenset({"si_signo", "si_errno", "si_code"})
ACCESSORS = {"siginfo_t": SIGINFO_ACCESSORS, "struct siginfo": SIGINFO_ACCESSORS}
#: The si_code groups (and sparc's EMT_TAGOVF): a code constant is a macro
#: spelled with one of these prefixes (two leading underscores for an
#: architecture's private code) that has an integer value.
CODE_PREFIXES = ("SI_", "ILL_", "FPE_", "SEGV_", "BUS_", "TRAP_", "CLD_", "POLL_", "SYS_",
                 "EMT_")
CODES = {"siginfo_t": CODE_PREFIXES, "struct siginfo": CODE_PREFIXES}
#: Not codes although spelled like one: sizes, counters, flags.
_NOT_CODE = re.compile(r"(_SIZE|_MAX|_CNT|_MASK|_H)$|^_*SI_(MAX|PAD|PREAMBLE)|FLAG")
#: Groups without architecture-private codes: ``__SI_*`` and ``__SYS_*``
#: are a library's configuration knobs (``__SI_ERRNO_THEN_CODE``).
_NO_PRIVATE = ("SI_", "SYS_")


@dataclass(frozen=True, slots=True)
class Slot:
    """One joined field as one view declares it on one target."""

    name: str               # the accessor this view spells (si_timerid) or the path
    path: str
    offset: int
    size: int
    signed: bool | None     # None: not an integer
    rep: str                # "signed int", "pointer", "union"...
    bit_offset: int | None = None
    bit_width: int | None = None
    loc: SourceLoc | None = None

    def place(self) -> tuple:
        return (self.offset, self.size, self.bit_offset, self.bit_width)

    def to_json(self) -> dict:
        return {"name": self.name, "path": self.path, "offset": self.offset, "size": self.size,
                "signed": self.signed, "type": self.rep, "bit_offset": self.bit_offset,
                "bit_width": self.bit_width}


@dataclass
class TypeFacts:
    """A type as one view declares it on one target."""

    name: str
    size: int
    align: int
    loc: SourceLoc | None
    slots: dict[str, Slot] = field(default_factory=dict)    # joined key -> slot


@dataclass(frozen=True, slots=True)
class Code:
    """A code constant (``SEGV_PKUERR``) as one view defines it."""

    name: str
    value: int
    loc: SourceLoc | None


def _rep(lay: Layouter, t: m.Type) -> tuple[str, bool | None]:
    s = lay.strip(t)
    if isinstance(s, m.Array):
        return "array", None
    if isinstance(s, (m.Pointer, m.Function)):
        return "pointer", None
    if isinstance(s, m.Record):
        return s.kind, None
    if isinstance(s, m.Enum):
        return "enum", signedness(lay, s)
    if isinstance(s, m.Scalar):
        if is_float(s):
            return "float", None
        signed = signedness(lay, s)
        if signed is None:
            return "other", None
        return ("signed" if signed else "unsigned") + " int", signed
    return "other", None


def _slot(lay: Layouter, name: str, path: str, mem: Member) -> Slot:
    rep, signed = _rep(lay, mem.type)
    return Slot(name, path, mem.offset, mem.size, signed, rep, mem.bit_offset, mem.bit_width,
                shown(mem.loc))


def shown(loc: SourceLoc | None) -> SourceLoc | None:
    """Bundled headers as ``headers/<set>/...`` wherever abicheck is installed."""
    if loc is None:
        return None
    return SourceLoc(bundled.display_path(loc.file), loc.line, loc.col)


def leaf_paths(layout: TypeLayout) -> list[str]:
    """Member paths of the members that have no named members themselves."""
    paths = [x.path for x in layout.members() if x.path]
    return [p for p in paths if not any(q.startswith(p + ".") for q in paths)]


def type_facts(lay: Layouter, macros, layout: TypeLayout, side: str,
               maps: Sequence[tuple[str, str]]) -> TypeFacts:
    """The joined fields of ``layout`` as this view declares them.  An
    accessor macro that names no member is bad input (UsageError)."""
    facts = TypeFacts(layout.name, layout.size, layout.align, layout.loc)
    accessors = ACCESSORS.get(layout.name)
    if accessors is None:
        for p in leaf_paths(layout):
            facts.slots[p] = _slot(lay, p, p, layout.member(p))
    else:
        for key in accessors:
            for spelled in key.split("/"):
                mac = macros.get(spelled)
                if mac is None:
                    if spelled in DIRECT and layout.member(spelled) is not None:
                        facts.slots[key] = _slot(lay, spelled, spelled, layout.member(spelled))
                        break
                    continue
                path = mac.path
                mem = layout.member(path) if path else None
                if mem is None:
                    raise UsageError(f"accessor '{spelled}' names no member of {layout.name} "
                                     f"(it expands to '{mac.expansion}')", shown(mac.loc))
                facts.slots[key] = _slot(lay, spelled, path, mem)
                break
    for kpath, lpath in maps:
        path = kpath if side == "kernel" else lpath
        mem = layout.member(path)
        if mem is not None:
            for k in [k for k, s in facts.slots.items() if s.path == path and k != f"{kpath}={lpath}"]:
                del facts.slots[k]
            facts.slots[f"{kpath}={lpath}"] = _slot(lay, path, path, mem)
    return facts


def codes(macros, type_names: Sequence[str]) -> dict[str, Code]:
    """The code constants of the types' code groups this view defines."""
    prefixes = tuple(p for t in type_names for p in CODES.get(t, ()))
    if not prefixes:
        return {}
    private = tuple("__" + p for p in prefixes if p not in _NO_PRIVATE)
    out: dict[str, Code] = {}
    for name in sorted(macros.names()):
        if not name.startswith(prefixes + private) or _NOT_CODE.search(name):
            continue
        mac = macros.get(name)
        if mac is None or mac.params is not None or mac.value is None:
            continue
        if mac.loc.file in ("<built-in>", "<command-line>"):
            continue
        out[name] = Code(name, mac.value, shown(mac.loc))
    return out


@dataclass(frozen=True)
class Entry:
    """One joined field on one target: both sides and the verdict."""

    key: str
    verdict: str                    # "mismatch" | "skew" | "agree"
    kernel: Slot | None
    libc: Slot | None
    why: tuple[str, ...] = ()       # what differs: offset, size, signedness


def join_fields(kf: TypeFacts, lf: TypeFacts) -> list[Entry]:
    keys = list(kf.slots) + [k for k in lf.slots if k not in kf.slots]
    order = ACCESSORS.get(kf.name)
    if order is not None:
        rank = {k: i for i, k in enumerate(order)}
        keys.sort(key=lambda k: rank.get(k, len(rank)))
    out = []
    for k in keys:
        a, b = kf.slots.get(k), lf.slots.get(k)
        if a is None or b is None:
            out.append(Entry(k, "skew", a, b))
            continue
        why = []
        if (a.offset, a.bit_offset) != (b.offset, b.bit_offset):
            why.append("offset")
        if (a.size, a.bit_width) != (b.size, b.bit_width):
            why.append("size")
        if a.signed is not None and b.signed is not None and a.signed != b.signed:
            why.append("signedness")
        out.append(Entry(k, "mismatch" if why else "agree", a, b, tuple(why)))
    return out
