"""Spec checks: what headers must promise, checked on every target.

A spec (JSON, ``schemas/spec.schema.json``) lists checks of seven kinds:
record size/alignment, field offset/size/signedness/fixed width, constant
values, code groups (unique, contiguous from 1, counter = highest), padding
rules (no implicit holes, reserved members) and the si_code -> member map.
``run_spec`` evaluates every check on every selected target against the
headers as that target's compiler would see them, and returns one
``report.findings.Report``.  Nothing here prints; reading and validating a
spec is ``checks/spec_load.py``.

No check passes on what it did not check: a target for which the spec gives
no expected value is "not applicable", and what abicheck cannot decide (a
macro it cannot evaluate, the signedness of a member that is not an
integer) is a finding, never a silent pass.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from abicheck import api
from abicheck.checks.spec_load import Spec, SpecError, bundled_spec, load_spec  # noqa: F401 (API)
from abicheck.errors import AbicheckError, SourceLoc
from abicheck.layout import Layouter, TypeLayout
from abicheck.names import FIXED_WIDTH, RESERVED
from abicheck.report.findings import Report
from abicheck.scalars import signedness
from abicheck.targets import Target

HEADERS_CHECK = "headers compile for the target"


# --- selection ----------------------------------------------------------------


def _matches(target: Target, selector: str) -> bool:
    return selector.lower() in _selectors(target)


#: id of a target -> (the target, every selector that names it); held so the
#: id is not reused while its entry lives.  A spec asks ~2000 times per run
_SELECTORS: dict[int, tuple[Target, frozenset[str]]] = {}


def _selectors(target: Target) -> frozenset[str]:
    got = _SELECTORS.get(id(target))
    if got is None or got[0] is not target:
        names = frozenset({"all", target.name, target.triple, target.debian_arch or "",
                           *(a.lower() for a in target.aliases), *target.classes})
        if len(_SELECTORS) >= 256:
            _SELECTORS.clear()
        got = _SELECTORS[id(target)] = (target, names)
    return got[1]


def applies(chk: dict, target: Target) -> bool:
    sel = chk.get("targets", "all")
    if sel != "all" and not any(_matches(target, s) for s in sel):
        return False
    return not any(_matches(target, s) for s in chk.get("except", ()))


def pick(value, target: Target):
    """A plain value, or the first entry of a selector map matching ``target``."""
    if not isinstance(value, dict):
        return value
    for sel, v in value.items():
        if _matches(target, sel):
            return v
    return None


# --- running ------------------------------------------------------------------


class _Context:
    """One target's view of the headers, with lazy layouts and macros."""

    def __init__(self, tr) -> None:
        self.tr = tr
        self.target = tr.target
        self.lay = Layouter(tr.unit, tr.target)
        self.macros = api.macro_table(tr)
        self._layouts: dict[str, TypeLayout | AbicheckError] = {}
        self._heads: dict[str, list[str]] | None = None

    def with_prefix(self, prefix: str) -> list[str]:
        """``macros.with_prefix``, from one pass over the macros for every
        code group (``SEGV_``, ``BUS_``...: eight groups scanned ~2000
        macros each on every target): names grouped by what precedes and
        includes their first ``_``, in definition order."""
        if not prefix.endswith("_") or "_" in prefix[:-1]:
            return self.macros.with_prefix(prefix)
        if self._heads is None:
            self._heads = {}
            for n in self.macros.names():
                self._heads.setdefault(n[:n.find("_") + 1], []).append(n)
        return list(self._heads.get(prefix, ()))

    def layout(self, name: str) -> TypeLayout:
        if name not in self._layouts:
            try:
                self._layouts[name] = self.lay.layout(name)
            except AbicheckError as e:
                self._layouts[name] = e
        got = self._layouts[name]
        if isinstance(got, AbicheckError):
            raise got
        return got

    def resolve(self, accessor: str) -> str:
        mac = self.macros.get(accessor)
        return mac.path if mac is not None and mac.path else accessor


Outcome = list[tuple[str, str, SourceLoc | None, Any, Any]]   # (id, message, loc, measured, expected)


def _record(chk: dict, cx: _Context) -> Outcome | None:
    lay = cx.layout(chk["type"])
    out: Outcome = []
    t = cx.target
    size, align, ceil = pick(chk.get("size"), t), pick(chk.get("align"), t), pick(chk.get("max_align"), t)
    if size is None and align is None and ceil is None:
        return None                 # the spec expects nothing on this target
    if size is not None and lay.size != size:
        out.append(("ABI120", f"{chk['type']} is {lay.size} bytes, expected {size}", lay.loc, lay.size, size))
    if align is not None and lay.align != align:
        out.append(("ABI121", f"{chk['type']} is {lay.align}-byte aligned, expected {align}",
                    lay.loc, lay.align, align))
    if ceil is not None and lay.align > ceil:
        out.append(("ABI121", f"{chk['type']} is {lay.align}-byte aligned, at most {ceil} allowed",
                    lay.loc, lay.align, ceil))
    return out


def _field(chk: dict, cx: _Context) -> Outcome | None:
    t = cx.target
    if all(pick(chk.get(k), t) is None for k in ("offset", "size", "signed", "explicit_bytes",
                                                  "fixed_width")):
        return None                 # the spec expects nothing on this target
    lay = cx.layout(chk["type"])
    acc = chk["accessor"]
    path = cx.resolve(acc)
    mem = lay.member(path)
    if mem is None:
        return [("ABI130", f"{acc} is not a member of {chk['type']}", lay.loc, None, path)]
    out: Outcome = []
    off, size = pick(chk.get("offset"), t), pick(chk.get("size"), t)
    where = f"{acc} ({path})" if path != acc else acc
    if off is not None and mem.offset != off:
        out.append(("ABI130", f"{where} at offset {mem.offset:#x}, expected {off:#x}", mem.loc, mem.offset, off))
    if size is not None and mem.size != size:
        out.append(("ABI131", f"{where} is {mem.size} bytes ({mem.type_name}), expected {size}",
                    mem.loc, mem.size, size))
    if "signed" in chk:
        signed = _signed(mem, cx)
        if signed is None:
            out.append(("ABI132", f"{where} has type {mem.type_name}, which is not an integer type: "
                                  "its signedness cannot be checked", mem.loc, mem.type_name, "integer"))
        elif signed != chk["signed"]:
            want = "signed" if chk["signed"] else "unsigned"
            out.append(("ABI132", f"{where} has type {mem.type_name}, which is not {want}",
                        mem.loc, mem.type_name, want))
    span = chk.get("explicit_bytes")
    if span:
        gap = _uncovered(lay, mem.offset, span)
        if gap:
            out.append(("ABI142", f"{where}: bytes {gap} of its {span}-byte slot are implicit "
                                  "padding, not declared members", mem.loc, gap, span))
    if chk.get("fixed_width") and not FIXED_WIDTH.match(mem.type_name):
        out.append(("ABI133", f"{where} has type {mem.type_name}, not a fixed-width ABI type "
                              "(__u32, __s64, uint32_t, ...)", mem.loc, mem.type_name, "fixed-width"))
    return out


def _uncovered(lay: TypeLayout, start: int, span: int) -> list[int]:
    """Offsets in [start, start+span) that no declared leaf member covers."""
    covered = set()
    for mem in lay.members():
        if mem.children:
            continue
        if mem.bit_offset is not None:
            lo, hi = mem.bit_offset // 8, (mem.bit_offset + mem.bit_width + 7) // 8
        else:
            lo, hi = mem.offset, mem.offset + mem.size
        covered.update(range(max(lo, start), min(hi, start + span)))
    return [b for b in range(start, start + span) if b not in covered]


def _signed(mem, cx: _Context) -> bool | None:
    from abicheck import model as m
    s = cx.lay.strip(mem.type)
    while isinstance(s, m.Array):
        s = cx.lay.strip(s.element)
    return signedness(cx.lay, s)


def _constant(chk: dict, cx: _Context) -> Outcome | None:
    name = chk["constant"]
    mac = cx.macros.get(name)
    if chk.get("absent"):
        if mac is not None:
            return [("ABI102", f"{name} is defined ({mac.expansion}), must not be", mac.loc, mac.value, None)]
        return []
    want = pick(chk["value"], cx.target)
    if want is None:
        return None                 # the spec expects nothing on this target
    if mac is None:
        en = cx.tr.unit.constants.get(name)
        if en is None:
            return [("ABI102", f"{name} is not defined, expected {want}", None, None, want)]
        got, loc = cx.lay.eval(en.value, en.loc), en.loc
    else:
        got, loc = mac.value, mac.loc
        if got is None:
            return [("ABI101", f"{name} expands to '{mac.expansion or mac.body}', which abicheck "
                               f"cannot evaluate as an integer constant; expected {want}", loc, None, want)]
    if got != want:
        return [("ABI101", f"{name} is {got}, expected {want}", loc, got, want)]
    return []


def _group(chk: dict, cx: _Context) -> Outcome:
    prefix, counter = chk["prefix"], chk["counter"]
    exclude = set(chk.get("exclude", ())) | {counter}
    extra = [n for sel, names in chk.get("extra", {}).items() if _matches(cx.target, sel) for n in names]
    names = [n for n in cx.with_prefix(prefix) if n not in exclude] + \
            [n for n in extra if n in cx.macros]
    codes = {}
    out: Outcome = []
    for n in names:
        mac = cx.macros.get(n)
        if mac.params is not None or mac.loc.file in ("<built-in>", "<command-line>"):
            continue
        if mac.value is None:
            # a code we cannot evaluate could hide a duplicate or a gap
            out.append(("ABI115", f"{n} expands to '{mac.expansion or mac.body}', which abicheck cannot "
                                  f"evaluate as an integer; exclude it or fix it", mac.loc, None, "integer"))
            continue
        codes[n] = mac
    cmac = cx.macros.get(counter)
    cloc = cmac.loc if cmac else None
    for n in chk.get("members", ()):
        if n not in codes:
            out.append(("ABI110", f"{n} is missing from the {prefix} codes", cloc, None, n))
    by_value: dict[int, list[str]] = {}
    for n, mac in codes.items():
        by_value.setdefault(mac.value, []).append(n)
    for v, ns in sorted(by_value.items()):
        if len(ns) > 1:
            out.append(("ABI111", f"{' and '.join(sorted(ns))} share the value {v}",
                        codes[sorted(ns)[1]].loc, v, "unique"))
    values = sorted(by_value)
    top = values[-1] if values else 0
    missing = [v for v in range(1, top + 1) if v not in by_value]
    if missing or (values and values[0] < 1):
        out.append(("ABI112", f"{prefix} codes are not contiguous from 1: "
                              f"have {values}, missing {missing}", cloc, values, list(range(1, top + 1))))
    if cmac is None:
        out.append(("ABI113", f"{counter} is not defined", None, None, top))
    elif cmac.value is None:
        out.append(("ABI113", f"{counter} expands to '{cmac.expansion or cmac.body}', which abicheck "
                              "cannot evaluate as an integer", cmac.loc, None, top))
    elif cmac.value != top:
        out.append(("ABI113", f"{counter} is {cmac.value}, but the highest {prefix} code is {top}",
                    cmac.loc, cmac.value, top))
    highest = pick(chk.get("highest"), cx.target)
    if highest is not None and top != highest:
        out.append(("ABI114", f"the highest {prefix} code is {top}, expected {highest}", cloc, top, highest))
    return out


def _no_holes(chk: dict, cx: _Context) -> Outcome:
    lay = cx.layout(chk["type"])
    out: Outcome = []
    for h in lay.holes:
        where = f"after {h.after}" if h.after else "at the start"
        inside = f" in {h.record}" if h.record else ""
        n = f"{h.bits // 8} bytes" if h.bits % 8 == 0 else f"{h.bits} bits"
        out.append(("ABI140", f"{chk['type']} has a {n} hole {where}{inside} (offset {h.bit_offset // 8})",
                    lay.loc, h.bits, 0))
    if lay.padding and not chk.get("allow_tail"):
        out.append(("ABI140", f"{chk['type']} has {lay.padding} bytes of tail padding", lay.loc,
                    lay.padding, 0))
    return out


def _reserved(chk: dict, cx: _Context) -> Outcome:
    lay = cx.layout(chk["type"])
    pattern = re.compile(chk["pattern"]) if "pattern" in chk else RESERVED
    out: Outcome = []
    for acc in chk["members"]:
        path = cx.resolve(acc)
        mem = lay.member(path)
        if mem is None:
            out.append(("ABI141", f"reserved member {acc} is missing from {chk['type']}", lay.loc, None, acc))
        elif not pattern.search(mem.name or ""):
            out.append(("ABI141", f"{path} is not named as reserved (pattern {pattern.pattern})",
                        mem.loc, mem.name, pattern.pattern))
    return out


def _code_map(chk: dict, cx: _Context) -> Outcome | None:
    lay = cx.layout(chk["type"])
    out: Outcome = []
    present = [c for c in chk["map"] if c in cx.macros or c in cx.tr.unit.constants]
    if not present:
        return None             # not one of the codes exists here: nothing was checked
    for code, accs in chk["map"].items():
        if code not in present:
            continue            # a code this revision lacks is the constant checks' business
        for acc in accs:
            path = cx.resolve(acc)
            if lay.member(path) is None:
                out.append(("ABI150", f"{acc}, meaningful for {code}, is not a member of {chk['type']}",
                            lay.loc, None, acc))
    return out


_KINDS: dict[str, tuple[str, Callable[[dict, _Context], Outcome]]] = {
    "record": ("ABI120", _record), "field": ("ABI130", _field), "constant": ("ABI101", _constant),
    "code_group": ("ABI110", _group), "no_holes": ("ABI140", _no_holes),
    "reserved": ("ABI141", _reserved), "code_map": ("ABI150", _code_map),
}


def check_name(chk: dict) -> str:
    """The row label of a check in reports."""
    if chk.get("name"):
        return chk["name"]
    k = chk["kind"]
    if k == "record":
        parts = [p for p in ("size", "align", "max_align") if p in chk]
        return f"{chk['type']}: {', '.join(parts).replace('max_align', 'alignment ceiling')}"
    if k == "field":
        parts = [p for p in ("offset", "size", "signed", "fixed_width", "explicit_bytes") if p in chk]
        return f"{chk['type']}.{chk['accessor']}: {', '.join(parts).replace('_', ' ')}"
    if k == "constant":
        return f"{chk['constant']} " + ("undefined" if chk.get("absent") else "value")
    if k == "code_group":
        return f"{chk['prefix']}* codes and {chk['counter']}"
    if k == "no_holes":
        return f"{chk['type']}: no implicit padding"
    if k == "reserved":
        return f"{chk['type']}: reserved members"
    return f"{chk['type']}: si_code member map"


def _shown(loc: SourceLoc | None) -> SourceLoc | None:
    from abicheck.bundled import display_path
    if loc is None:
        return None
    return SourceLoc(display_path(loc.file), loc.line, loc.col)


def _compile_error(cx: _Context, headers: Sequence[str]) -> AbicheckError | None:
    """The first error laying out the records the named headers define."""
    for name in api.declared_records(cx.tr, headers):
        try:
            cx.layout(name)
        except AbicheckError as e:
            return e
    return None


def run_spec(spec: Spec, targets: Sequence[Target], headers: Sequence[str] = (),
             include_dirs: Sequence[str] = (), defines: Sequence[str] = (),
             subject: str = "") -> Report:
    """Evaluate every check of ``spec`` on every target."""
    from abicheck.checks.spec_load import spec_inputs
    from abicheck.checks.spec_pieces import assemble_spec, spec_frame, target_pieces
    hdrs, defs = spec_inputs(spec, headers, defines)
    return assemble_spec(spec_frame(spec, targets, hdrs, subject),
                         target_pieces(spec, targets, hdrs, include_dirs, defs))
