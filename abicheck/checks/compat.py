"""``abicheck compat``: does a C library declare a type the way the kernel
does, on every ABI?

The kernel writes the bytes of ``siginfo_t``; a C library declares its own
``siginfo_t`` and its own code constants.  If the two disagree on one
offset on one ABI, programs read garbage, and neither project's tests
compare the layouts.  This check translates both views (``compat_views``)
on each target, joins their members by public accessor name
(``compat_join``) and gives each joined field a verdict:

- *mismatch* (error): both declare it, with another offset, size or
  signedness; a code constant both define with another value; the whole
  type's size or alignment differs;
- *skew* (warning): one view declares it and the other does not (a libc
  that predates ``si_perf_*`` or ``SEGV_CPERR``), or one view lacks the
  type on this target;
- *agree*.

Bad input (exit 2, one line naming the view and the target): a view that
does not translate on a target, an accessor that names no member, a type
that one view declares on none of the targets compared.
"""
from __future__ import annotations

from typing import Sequence

from abicheck.checks import compat_join as cj
from abicheck.checks.compat_views import View, jobs
from abicheck.errors import AbicheckError, LayoutError, UsageError
from abicheck.frontend import Translation, translate_each
from abicheck.layout import Layouter
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.targets import Target

TYPES = "type size and alignment"
FIELDS = "accessors"
CONSTANTS = "code constants"
VIEWS = "views available"
#: One line per compat finding code (SARIF rules, the JSON schema's docs).
CODES = {
    "ABI400": "target not compared: a view is not available there",
    "ABI401": "type declared by one view only on this target",
    "ABI410": "type size differs", "ABI411": "type alignment differs",
    "ABI420": "accessor offset, size or signedness differs",
    "ABI421": "accessor declared by one view only",
    "ABI430": "code constant value differs",
    "ABI431": "code constant defined by one view only",
}


def run_compat(kernel: View, libc: View, types: Sequence[str], targets: Sequence[Target],
               maps: Sequence[tuple[str, str]] = ()) -> Report:
    """Compare ``types`` as the two views declare them on every target."""
    if not types:
        raise UsageError("compat needs at least one --type")
    return assemble_compat(compat_frame(kernel, libc, types, targets, maps),
                           target_pieces(kernel, libc, types, targets, maps))


def compat_frame(kernel: View, libc: View, types: Sequence[str], targets: Sequence[Target],
                 maps: Sequence[tuple[str, str]] = ()) -> dict:
    """What the report is made of besides the targets' pieces (plain JSON)."""
    return {"kernel": kernel.to_json(), "libc": libc.to_json(), "types": list(types),
            "maps": [[a, b] for a, b in maps], "targets": [t.name for t in targets],
            "labels": {"kernel": kernel.label, "libc": libc.label}}


def target_pieces(kernel: View, libc: View, types: Sequence[str], targets: Sequence[Target],
                  maps: Sequence[tuple[str, str]] = ()) -> list[dict]:
    """Each target's part of the comparison (plain JSON, see
    ``abicheck.runs``), the translations of each view overlapped: what it is
    missing, the errors of its translations and facts, or its results and
    what the checks across targets need (which types each view declares,
    which ``--map`` paths name a member)."""
    from abicheck.runs.codec import error_json, plain, result_json
    pieces: dict[str, dict] = {t.name: {} for t in targets}
    trs: dict[str, dict] = {"kernel": {}, "libc": {}}
    for view in (kernel, libc):
        todo, absent = jobs(view, targets)
        for t in absent:
            pieces[t.name].setdefault("missing", []).append(view.label)
        for (_, t, *_), tr in zip(todo, translate_each(todo, view.defines)):
            if isinstance(tr, AbicheckError):
                pieces[t.name].setdefault("translate_errors", {})[view.side] = \
                    error_json(_named(tr, view, t))
            else:
                trs[view.side][t.name] = tr
    for t in targets:
        p = pieces[t.name]
        if p:
            continue
        facts = {}
        for view in (kernel, libc):
            try:
                facts[view.side] = _facts(trs[view.side][t.name], view, types, maps)
            except AbicheckError as e:
                p.setdefault("facts_errors", {})[view.side] = error_json(e)
        if p:
            continue
        (kt, kc), (lt, lc) = facts["kernel"], facts["libc"]
        res, doc = _compare_target(t.name, types, kt, lt, kc, lc, kernel, libc)
        p["results"] = [result_json(r) for r in res]
        p["doc"] = plain(doc)
        p["declared"] = {side: [n for n in types if facts[side][0].get(n) is not None]
                         for side in facts}
        p["mapped"] = {side: [f"{a}={b}" for a, b in maps
                              if any(tf is not None and f"{a}={b}" in tf.slots
                                     and tf.slots[f"{a}={b}"].path == (a if side == "kernel" else b)
                                     for tf in facts[side][0].values())]
                       for side in facts}
    return [pieces[t.name] for t in targets]


def assemble_compat(frame: dict, pieces: Sequence[dict]) -> Report:
    """The report from every target's piece, in target order; bad input is
    found in the order one process meets it: the kernel view's translations
    on every target, then the libc's; no target with both views; the facts
    of each view; a type a view declares nowhere; a ``--map`` that names no
    member."""
    from abicheck.runs.codec import error_of, result_of
    targets, labels, types = frame["targets"], frame["labels"], frame["types"]
    for side in ("kernel", "libc"):
        for p in pieces:
            if side in p.get("translate_errors", {}):
                raise error_of(p["translate_errors"][side])
    missing = {t: p["missing"] for t, p in zip(targets, pieces) if "missing" in p}
    compared = [(t, p) for t, p in zip(targets, pieces) if t not in missing]
    if not compared:
        raise UsageError(f"no target to compare: {_why_none(targets, missing)}")
    for side in ("kernel", "libc"):
        for _, p in compared:
            if side in p.get("facts_errors", {}):
                raise error_of(p["facts_errors"][side])
    names = ", ".join(t for t, _ in compared)
    for name in types:
        for side in ("kernel", "libc"):
            if not any(name in p["declared"][side] for _, p in compared):
                raise UsageError(f"{labels[side]} declares no type '{name}' on {names}")
    for kpath, lpath in frame["maps"]:
        key = f"{kpath}={lpath}"
        for side, path in (("kernel", kpath), ("libc", lpath)):
            if not any(key in p["mapped"][side] for _, p in compared):
                raise UsageError(f"--map {key}: '{path}' names no member of "
                                 f"{', '.join(dict.fromkeys(types))} in the "
                                 f"{labels[side]} on {names}")
    results: list[CheckResult] = []
    docs = []
    for t, p in zip(targets, pieces):
        if t in missing:
            why = f"not compared: {' and '.join(missing[t])} not available on {t}"
            f = Finding("ABI400", "note", (t,), None, why, VIEWS)
            results += [CheckResult(c, i, t, None, (f,) if c == TYPES else ())
                        for c, i in ((TYPES, "ABI410"), (FIELDS, "ABI420"), (CONSTANTS, "ABI430"))]
            docs.append({"target": t, "compared": False, "why": why, "types": [],
                         "constants": []})
            continue
        results += [result_of(r) for r in p["results"]]
        docs.append(p["doc"])
    meta = {"kernel": frame["kernel"], "libc": frame["libc"], "types": list(types),
            "maps": [f"{a}={b}" for a, b in frame["maps"]], "results": docs}
    subject = f"{', '.join(types)}: {labels['kernel']} vs {labels['libc']}"
    return Report("compat", subject, tuple(targets), tuple(results), meta)


def _named(e: AbicheckError, view: View, t: Target) -> AbicheckError:
    e.msg = f"{e.msg} ({view.label}, target {t.name})"
    return e


def _why_none(targets: Sequence[str], missing: dict[str, list[str]]) -> str:
    parts = []
    for t in targets:
        parts.append(f"{' and '.join(missing[t])} not available on {t}")
    return "; ".join(parts[:3]) + (f"; ... ({len(parts)} targets)" if len(parts) > 3 else "")


def _facts(tr: Translation, view: View, types: Sequence[str], maps) -> tuple[dict, dict]:
    """(type name -> TypeFacts or None, code constants) of one view on one target."""
    from abicheck.frontend.macros import MacroTable
    lay = Layouter(tr.unit, tr.target)
    macros = MacroTable(tr, lay)
    out: dict[str, cj.TypeFacts | None] = {}
    try:
        for name in types:
            try:
                layout = lay.layout(name)
            except LayoutError as e:
                if e.loc is None and e.msg == f"unknown type '{name}'":
                    out[name] = None
                    continue
                raise
            out[name] = cj.type_facts(lay, macros, layout, view.side, maps)
        consts = cj.codes(macros, types)
    except AbicheckError as e:
        raise _named(e, view, tr.target) from None
    return out, consts


def _compare_target(target: str, types, kt, lt, kc, lc, kernel: View, libc: View):
    tt = (target,)
    type_f: list[Finding] = []
    field_f: list[Finding] = []
    type_docs = []
    for name in types:
        a, b = kt.get(name), lt.get(name)
        if a is None and b is None:
            # neither view has it on this target (a type of other ABIs only):
            # nothing to compare here; declared nowhere at all is bad input
            continue
        if a is None or b is None:
            side, other = (kernel, libc) if a is None else (libc, kernel)
            have = b if a is None else a
            type_f.append(Finding("ABI401", "warning", tt, cj.shown(have.loc),
                                  f"{name}: not declared by the {side.label}", TYPES,
                                  verdict="skew", topic=f"{other.side} only"))
            type_docs.append({"type": name, "verdict": "skew", "kernel": _size(a),
                              "libc": _size(b), "accessors": []})
            continue
        verdict = "agree"
        if a.size != b.size:
            type_f.append(Finding("ABI410", "error", tt, cj.shown(b.loc),
                                  f"{name}: size {b.size} in the libc view, {a.size} in the kernel's",
                                  TYPES, b.size, a.size, verdict="mismatch"))
            verdict = "mismatch"
        if a.align != b.align:
            type_f.append(Finding("ABI411", "error", tt, cj.shown(b.loc),
                                  f"{name}: alignment {b.align} in the libc view, {a.align} in the "
                                  "kernel's", TYPES, b.align, a.align, verdict="mismatch"))
            verdict = "mismatch"
        entries = cj.join_fields(a, b)
        for e in entries:
            f = _field_finding(name, e, tt)
            if f is not None:
                field_f.append(f)
        if verdict == "agree" and any(e.verdict == "mismatch" for e in entries):
            verdict = "mismatch"
        type_docs.append({"type": name, "verdict": verdict, "kernel": _size(a), "libc": _size(b),
                          "accessors": [_entry_json(e) for e in entries]})
    const_f, const_docs = _constants(kc, lc, tt)
    results = [CheckResult(TYPES, "ABI410", target, not any(f.severity == "error" for f in type_f),
                           tuple(type_f)),
               CheckResult(FIELDS, "ABI420", target,
                           not any(f.severity == "error" for f in field_f), tuple(field_f)),
               CheckResult(CONSTANTS, "ABI430", target,
                           not any(f.severity == "error" for f in const_f), tuple(const_f))]
    doc = {"target": target, "compared": True, "why": None, "types": type_docs,
           "constants": const_docs}
    return results, doc


def _size(f: cj.TypeFacts | None) -> dict | None:
    return None if f is None else {"size": f.size, "align": f.align}


def _entry_json(e: cj.Entry) -> dict:
    return {"accessor": e.key, "verdict": e.verdict, "differs": list(e.why),
            "kernel": e.kernel.to_json() if e.kernel else None,
            "libc": e.libc.to_json() if e.libc else None}


def _where(s: cj.Slot) -> str:
    bits = f", bits {s.bit_offset % 8}:{s.bit_width}" if s.bit_width is not None else ""
    sign = f", {s.rep}" if s.signed is not None else ""
    return f"{s.path} at {s.offset:#x}, {s.size} bytes{bits}{sign}"


def _field_finding(name: str, e: cj.Entry, tt: tuple[str, ...]) -> Finding | None:
    if e.verdict == "agree":
        return None
    if e.verdict == "skew":
        side, s = ("kernel", e.kernel) if e.libc is None else ("libc", e.libc)
        return Finding("ABI421", "warning", tt, None,
                       f"{name}: {e.key} only in the {side} view", FIELDS,
                       s.path, None, verdict="skew", topic=f"{side} only")
    k, lb = e.kernel, e.libc
    return Finding("ABI420", "error", tt, lb.loc,
                   f"{name}: {e.key} differs ({', '.join(e.why)}): kernel {_where(k)}; "
                   f"libc {_where(lb)}", FIELDS, lb.to_json(), k.to_json(), verdict="mismatch")


def _constants(kc: dict, lc: dict, tt: tuple[str, ...]) -> tuple[list[Finding], list[dict]]:
    out, docs = [], []
    for n in sorted(set(kc) | set(lc)):
        a, b = kc.get(n), lc.get(n)
        if a is None or b is None:
            side = "kernel" if b is None else "libc"
            out.append(Finding("ABI431", "warning", tt, None, f"{n} only in the {side} view",
                               CONSTANTS, (a or b).value, None, verdict="skew",
                               topic=f"{side} only"))
            verdict = "skew"
        elif a.value != b.value:
            out.append(Finding("ABI430", "error", tt, b.loc,
                               f"{n} is {b.value} in the libc view, {a.value} in the kernel's",
                               CONSTANTS, b.value, a.value, verdict="mismatch"))
            verdict = "mismatch"
        else:
            verdict = "agree"
        docs.append({"name": n, "verdict": verdict, "kernel": a.value if a else None,
                     "libc": b.value if b else None})
    return out, docs
