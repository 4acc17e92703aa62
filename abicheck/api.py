"""The library API: what the CLI calls, and what other programs may call.

Everything here is a thin composition of the pipeline stages:
front end (``frontend``) -> model (``model``) -> layout (``layout``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from abicheck.errors import LayoutError, UsageError
from abicheck.frontend import (  # noqa: F401 (re-exported)
    Translation, translate, translate_all, translate_each, translate_stream)
from abicheck.layout import Layouter, TypeLayout
from abicheck.targets import Target, get_target

if TYPE_CHECKING:
    from abicheck.frontend.macros import MacroTable


def _target(t: Target | str) -> Target:
    return t if isinstance(t, Target) else get_target(t)


def layout_translation(tr: Translation, types: Sequence[str]) -> list[TypeLayout]:
    """The layouts of ``types``: stored ones (``cache.layouts``) as they
    were laid out, the others laid out now (and stored)."""
    laid = tr.laid
    lay = None
    out = []
    for t in types:
        got = laid.layout(t) if laid is not None else None
        if got is None:
            if lay is None:
                lay = Layouter(tr.unit, tr.target)
            try:
                got = lay.layout(t)
            except LayoutError as e:
                if e.loc is None and e.msg == f"unknown type '{t}'":
                    raise UsageError(f"unknown type '{t}'{suggest(t, type_names(tr))}") from None
                raise
            if laid is not None:
                laid.keep_layout(t, got)
        out.append(got)
    return out


def _stored_answer(tr: Translation, question: tuple, compute) -> list[str]:
    """``compute()``, or what it gave for this text and target before."""
    laid = tr.laid
    if laid is not None:
        got = laid.answer(question)
        if type(got) is tuple and all(type(x) is str for x in got):
            return list(got)
    out = compute()
    if laid is not None:
        laid.keep_answer(question, tuple(out))
    return out


def type_names(tr: Translation) -> list[str]:
    """Every name ``--type`` accepts in ``tr``: typedefs, ``struct TAG``,
    ``union TAG``, ``enum TAG``."""
    names = list(tr.unit.typedefs)
    names += [f"{k} {tag}" for (k, tag) in tr.unit.records if tag]
    names += [f"enum {tag}" for tag in tr.unit.enums if tag]
    return names


def suggest(name: str, known: Sequence[str]) -> str:
    """`` (did you mean 'a', 'b'?)`` for the close names that exist, or ''.
    ``siginfo`` finds ``siginfo_t``; ``struct stat`` finds ``struct statx``;
    a bare tag finds ``struct TAG``."""
    import difflib
    pool = sorted(set(known))
    close = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    bare = name.split()[-1]
    for k in pool:
        if k.split()[-1] == bare and k != name and k not in close:
            close.insert(0, k)
    close = close[:3]
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def layout_headers(headers: Sequence[str], types: Sequence[str], target: Target | str,
                   include_dirs: Sequence[str] = (), defines: Sequence[str] = (),
                   system: bool = False) -> list[TypeLayout]:
    """Lay out ``types`` (typedef names, ``struct TAG``, ``union TAG``) as
    declared by ``headers`` (paths, or include names resolved through
    ``include_dirs``) on ``target``."""
    tr = translate(headers, _target(target), include_dirs, defines, system)
    return layout_translation(tr, types)


def layout_source(source: str, types: Sequence[str], target: Target | str,
                  include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> list[TypeLayout]:
    """As :func:`layout_headers`, for C text given in memory (named ``<headers>``)."""
    tr = translate((), _target(target), include_dirs, defines, source=source)
    return layout_translation(tr, types)


def declared_records(tr: Translation, headers: Sequence[str]) -> list[str]:
    """Names of the structs and unions defined in the named headers themselves
    (not in what they include), in declaration order."""
    import os
    wanted = [os.path.abspath(h) if os.path.isfile(h) else h for h in headers]

    def mine(file: str) -> bool:
        return any(file == w or file.endswith("/" + w) for w in wanted)

    def compute() -> list[str]:
        recs = [(r.loc, f"{k} {tag}") for (k, tag), r in tr.unit.records.items()
                if r.fields is not None and r.loc and mine(r.loc.file)]
        return [name for _, name in sorted(recs)]
    return _stored_answer(tr, ("records", *wanted), compute)


def declared_typedefs(tr: Translation, headers: Sequence[str]) -> list[str]:
    """Typedef names the named headers themselves declare for an object type
    (not a function type, not ``void``, not an incomplete record), in
    declaration order: what ``layout`` shows of a header without records
    (glibc's ``<complex.h>`` has none, ``<tgmath.h>`` has ``float_t``...)."""
    import os

    from abicheck import model as m
    from abicheck.errors import AbicheckError
    wanted = [os.path.abspath(h) if os.path.isfile(h) else h for h in headers]

    def compute() -> list[str]:
        lay = Layouter(tr.unit, tr.target)
        out = []
        for name, td in tr.unit.typedefs.items():
            if not (td.loc and any(td.loc.file == w or td.loc.file.endswith("/" + w) for w in wanted)):
                continue
            t = lay.strip(td.type)
            if isinstance(t, m.Function) or (isinstance(t, m.Scalar) and t.kind == "void"):
                continue
            try:
                lay.size_align(m.TypedefRef(name))
            except AbicheckError:
                continue            # an incomplete type: nothing to lay out
            out.append((td.loc, name))
        return [name for _, name in sorted(out)]
    return _stored_answer(tr, ("typedefs", *wanted), compute)


def macro_table(tr: Translation) -> "MacroTable":
    from abicheck.frontend.macros import MacroTable
    return MacroTable(tr, Layouter(tr.unit, tr.target))


def resolve_fields(tr: Translation, layouts: Sequence[TypeLayout],
                   accessors: Sequence[str]) -> dict[str, list[dict]]:
    """Resolve public accessor names (``si_pkey``) or member paths to members
    of ``layouts``; every accessor must resolve in at least one type."""
    from abicheck.views.json import field_json
    macros = macro_table(tr)
    out: dict[str, list[dict]] = {}
    for acc in accessors:
        mac = macros.get(acc)
        path = mac.path if mac is not None and mac.path else acc
        found = False
        for lay in layouts:
            mem = lay.member(path)
            if mem is not None:
                out.setdefault(lay.name, []).append(field_json(acc, path, mem))
                found = True
        if not found and not layouts:
            raise UsageError(f"'{acc}' cannot be looked up on {tr.target.name}: the headers "
                             "define no struct, union or typedef of their own (name one with --type)")
        if not found:
            names = ", ".join(x.name for x in layouts)
            raise UsageError(f"'{acc}' names no member of {names} on {tr.target.name}"
                             + (f" (it expands to '{mac.expansion}')" if mac else ""))
    return out
