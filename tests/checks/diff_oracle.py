"""The compilers' side of the diff tests.

Both revisions are compiled by the oracle for a target (libclang with
``-target``, or the cross gcc where libclang is wrong or absent: see
``tests/oracle``), and the verdict rules of issue #6 are applied to the
compilers' numbers here, mechanically, without any abicheck code:

- incompatible: a type's size or alignment changed; a leaf member that OLD
  had (other than one named as reserved) is gone, or has another offset,
  size, bit offset or width; a scalar that changed signedness; a constant
  that is gone or has another value (a counter ``NSIG<X>``, ``..._MAX``,
  ``..._CNT`` may grow); a new
  code ``<X>_*`` whose value an existing code of its signal already has;
- no change: nothing at all differs;
- compatible: anything else.

Constants are evaluated by the compiler: as enumerator values (libclang) or
as inline-asm immediates in ``-S`` output (gcc), each guarded by ``#ifdef``.
"""
from __future__ import annotations

import re
from typing import Sequence

from oracle import Oracle
from oracle.clang import _cindex, _parse
from oracle.gcc import _compile

#: The naming convention for reserved bytes (the verdict rules' own words).
RESERVED = re.compile(r"(^|_)(reserved|resv|pad|unused|rsvd|spare)", re.IGNORECASE)
#: Kernel convention: NSIG<SIGNAL> counts the <SIGNAL>_* codes; SIGCHLD's are CLD_*.
COUNTER = re.compile(r"^NSIG([A-Z]+)$")
PREFIX_OF = {"CHLD": "CLD"}
#: Enum sentinels count too (``__IFLA_MAX``, ``..._CNT``): they may grow.
SENTINEL = re.compile(r"_(MAX|CNT|COUNT)$")
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)[ \t]+(.*)$", re.M)
_TYPEISH = re.compile(r"\{|__attribute__|^\s*(?:[a-z_][a-z0-9_]*|int|long|short|char)\s*$")


def integer_macros(*texts: str) -> list[str]:
    """Upper-case object-like macros whose bodies look like integer
    expressions (not types, attributes or declarations), from header text."""
    names = set()
    for text in texts:
        for name, body in _DEFINE.findall(text):
            body = re.sub(r"/\*.*?(\*/|$)", "", body).strip()
            if body and not _TYPEISH.search(body):
                names.add(name)
    return sorted(names)


def values(orc: Oracle, source: str, exprs: dict[str, str], include_dirs: Sequence[str] = (),
           guards: dict[str, str] | None = None) -> dict[str, int]:
    """The compiler's value of each C integer expression; a name whose guard
    macro (default: the name itself) is not defined is left out."""
    guards = guards if guards is not None else {n: n for n in exprs}
    names = sorted(exprs)
    if orc.kind == "clang":
        probe = source + "\n" + "".join(
            f"#ifdef {guards[n]}\nenum {{ __abicheck_k_{i} = ({exprs[n]}) }};\n#endif\n"
            for i, n in enumerate(names))
        ci = _cindex()
        tu = _parse(probe, orc.triple, orc.clang_args, include_dirs, ())
        out = {}
        for c in tu.cursor.walk_preorder():
            if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL and c.spelling.startswith("__abicheck_k_"):
                out[names[int(c.spelling.rsplit("_", 1)[1])]] = c.enum_value
        return out
    probe = source + "\nvoid __abicheck_kprobe(void) {\n" + "".join(
        f"#ifdef {guards[n]}\n__asm__ volatile(\"@@K {i} %0\" :: \"i\"(({exprs[n]})));\n#endif\n"
        for i, n in enumerate(names)) + "}\n"
    asm = _compile(orc.gcc, [], probe, include_dirs, ())
    return {names[int(i)]: int(v) for i, v in re.findall(r"@@K (\d+)[ \t]+[#$]?(-?\d+)", asm)}


def leaves(layout: dict) -> dict[str, dict]:
    paths = [m["path"] for m in layout["members"]]
    return {m["path"]: m for m in layout["members"]
            if not any(p.startswith(m["path"] + ".") for p in paths)}


def _place(m: dict) -> tuple:
    return (m["offset"], m["size"], m["bit_offset"], m["bit_width"])


def verdict(old_types: dict[str, dict], new_types: dict[str, dict],
            old_consts: dict[str, int], new_consts: dict[str, int],
            old_signed: dict[str, int] | None = None,
            new_signed: dict[str, int] | None = None) -> tuple[str, list[str]]:
    """("incompatible" | "compatible" | "no change", the reasons)."""
    why: list[str] = []
    changed = False
    for name in sorted(set(old_types) | set(new_types)):
        a, b = old_types.get(name), new_types.get(name)
        if a is None or b is None:
            changed = True
            if b is None:
                why.append(f"{name} removed")
            continue
        if (a["size"], a["align"]) != (b["size"], b["align"]):
            why.append(f"{name}: size/align {a['size']}/{a['align']} -> {b['size']}/{b['align']}")
        la, lb = leaves(a), leaves(b)
        for path, m in la.items():
            if RESERVED.search(path.rsplit(".", 1)[-1]):
                continue
            if path not in lb:
                why.append(f"{name}.{path} removed")
            elif _place(m) != _place(lb[path]):
                why.append(f"{name}.{path}: {_place(m)} -> {_place(lb[path])}")
        if [(p, _place(m)) for p, m in la.items()] != [(p, _place(m)) for p, m in lb.items()] \
                or a["members"] != b["members"] or (a["size"], a["align"]) != (b["size"], b["align"]):
            changed = True
    for acc, s in sorted((old_signed or {}).items()):
        t = (new_signed or {}).get(acc)
        if t is not None and t != s:
            why.append(f"{acc}: signedness {s} -> {t}")
    counters = {n: PREFIX_OF.get(m.group(1), m.group(1)) + "_"
                for n in set(old_consts) | set(new_consts) for m in [COUNTER.match(n)] if m}
    sentinels = {n for n in set(old_consts) | set(new_consts) if SENTINEL.search(n)}
    for name in sorted(set(old_consts) | set(new_consts)):
        a, b = old_consts.get(name), new_consts.get(name)
        if a != b:
            changed = True
        if a is not None and b is None:
            why.append(f"constant {name} removed")
        elif a is not None and b is not None and a != b and not (
                (name in counters or name in sentinels) and b > a):
            why.append(f"constant {name}: {a} -> {b}")
    for counter, prefix in sorted(counters.items()):
        def group(consts: dict[str, int]) -> dict[str, int]:
            return {n: v for n, v in consts.items() if n != counter and "FLAG" not in n
                    and (n.startswith(prefix) or n.startswith("__" + prefix))}
        og, ng = group(old_consts), group(new_consts)
        for name in sorted(set(ng) - set(og)):
            clash = [n for n, v in og.items() if v == ng[name] and ng.get(n) == v]
            if clash:
                why.append(f"new code {name} = {ng[name]} collides with {', '.join(sorted(clash))}")
    if why:
        return "incompatible", why
    return ("compatible" if changed else "no change"), []
