"""The compilers' side of the compat tests.

Each view is compiled by the oracle for a target (libclang ``-target`` or
the cross gcc, see ``tests/oracle``), and the compiler itself evaluates,
per public accessor name, ``offsetof(siginfo_t, si_pkey)``, ``sizeof`` of
the member, its type class and (for integers) its signedness, guarded by
``#ifdef si_pkey`` so a view that lacks the accessor lacks the entry.  The
verdict rules of issue #7 are applied here to the compilers' numbers,
mechanically, without abicheck code:

- mismatch: both views have the accessor and the offset, size or
  signedness differ; both define a code with different values;
- skew: one view has it, the other not;
- agree: otherwise.
"""
from __future__ import annotations

from typing import Sequence

from .diff_oracle import values
from oracle import Oracle, compiler_include_dir

#: Public accessor names, as issue #7 lists them ("a/b": one field, two spellings).
ACCESSORS = ("si_signo", "si_errno", "si_code", "si_pid", "si_uid", "si_status", "si_utime",
             "si_stime", "si_value", "si_int", "si_ptr", "si_tid/si_timerid", "si_overrun",
             "si_addr", "si_addr_lsb", "si_trapno", "si_lower", "si_upper", "si_pkey",
             "si_perf_data", "si_perf_type", "si_perf_flags", "si_band", "si_fd",
             "si_call_addr", "si_syscall", "si_arch")
#: Declared as members, not macros: always present.
DIRECT = {"si_signo", "si_errno", "si_code"}
ALWAYS = "__STDC__"
INTEGER_CLASS = (1, 2, 3)      # GCC/clang __builtin_classify_type: integer, char, enum


def dirs_with_compiler(dirs: Sequence[str]) -> list[str]:
    """The view's dirs, then the compiler's own (stddef.h for a libc view)."""
    inc = compiler_include_dir()
    return list(dirs) + ([inc] if inc else [])


def measure(orc: Oracle, source: str, include_dirs: Sequence[str], codes: Sequence[str] = (),
            type_name: str = "siginfo_t") -> dict:
    """{"size", "align", "fields": {key: (offset, size, signed|None)}, "codes": {name: value}}"""
    inc = dirs_with_compiler(include_dirs)
    exprs, guards = {"size": f"sizeof({type_name})", "align": f"_Alignof({type_name})"}, \
        {"size": ALWAYS, "align": ALWAYS}
    spell = [a for key in ACCESSORS for a in key.split("/")]
    for a in spell:
        g = ALWAYS if a in DIRECT else a
        mem = f"((({type_name} *)0)->{a})"
        exprs[f"o.{a}"], guards[f"o.{a}"] = f"__builtin_offsetof({type_name}, {a})", g
        exprs[f"s.{a}"], guards[f"s.{a}"] = f"sizeof {mem}", g
        exprs[f"c.{a}"], guards[f"c.{a}"] = f"__builtin_classify_type({mem})", g
    for n in codes:
        exprs[f"k.{n}"], guards[f"k.{n}"] = n, n
    got = values(orc, source, exprs, inc, guards)
    ints = [a for a in spell if got.get(f"c.{a}") in INTEGER_CLASS]
    signed = values(orc, source, {a: f"((__typeof__((({type_name} *)0)->{a}))-1 < 0)"
                                  for a in ints}, inc,
                    {a: ALWAYS if a in DIRECT else a for a in ints}) if ints else {}
    fields = {}
    for key in ACCESSORS:
        for a in key.split("/"):
            if f"o.{a}" in got:
                fields[key] = (got[f"o.{a}"], got[f"s.{a}"], bool(signed[a]) if a in signed else None)
                break
    return {"size": got["size"], "align": got["align"], "fields": fields,
            "codes": {n: got[f"k.{n}"] for n in codes if f"k.{n}" in got}}


def verdicts(kernel: dict, libc: dict) -> dict[str, str]:
    """accessor or code -> verdict, from the compilers' numbers only."""
    out = {}
    for table in ("fields", "codes"):
        a, b = kernel[table], libc[table]
        for k in set(a) | set(b):
            if k not in a or k not in b:
                out[k] = "skew"
            elif table == "codes":
                out[k] = "agree" if a[k] == b[k] else "mismatch"
            else:
                (o1, s1, g1), (o2, s2, g2) = a[k], b[k]
                differ = (o1, s1) != (o2, s2) or (g1 is not None and g2 is not None and g1 != g2)
                out[k] = "mismatch" if differ else "agree"
    return out


def abicheck_verdicts(doc: dict, target: str) -> tuple[dict[str, str], dict, dict]:
    """accessor/code -> verdict, and each side's fields, from a compat JSON document."""
    res = next(r for r in doc["results"] if r["target"] == target)
    out, sides = {}, {"kernel": {}, "libc": {}}
    for t in res["types"]:
        for e in t["accessors"]:
            out[e["accessor"]] = e["verdict"]
            for side in sides:
                s = e[side]
                if s is not None:
                    sides[side][e["accessor"]] = (s["offset"], s["size"], s["signed"])
    for c in res["constants"]:
        out[c["name"]] = c["verdict"]
    return out, sides["kernel"], sides["libc"]
