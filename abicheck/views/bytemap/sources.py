"""Where byte maps come from: ``abicheck layout``'s layouts (with the
accessor macros of each target's translation) and ``abicheck diff``'s
report (the shapes of the types that changed, kept on the report).

Accessors: a reader knows ``si_pkey``, not ``_sifields._sigfault._addr_pkey._pkey``,
so a member that an object-like macro expands to (a dotted member path, as
cpp expands it) is labelled with that macro.  Names given with ``--field``
count too, dotted or not.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping, Sequence

from abicheck.views.bytemap import groups as bg

if TYPE_CHECKING:
    from abicheck.frontend import Translation
    from abicheck.layout import TypeLayout
    from abicheck.report.findings import Report

_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+$")


def accessor_paths(tr: "Translation", layouts: Sequence["TypeLayout"],
                   fields: Mapping[str, Sequence[dict]] = {}) -> dict[str, dict[str, list[str]]]:
    """type name -> member path -> the macros (and ``--field`` names) that
    name it in ``tr``."""
    from abicheck import api
    paths = {lay.name: {m.path for m in lay.members() if m.path} for lay in layouts}
    out: dict[str, dict[str, list[str]]] = {lay.name: {} for lay in layouts}
    mt = api.macro_table(tr)
    expansions = mt.expansions()        # only the macros whose body uses another macro
    for name in sorted(n for n, d in mt.defs.items() if d.params is None):
        exp = expansions.get(name, mt.defs[name].body)
        if not _DOTTED.match(exp):
            continue
        path = re.sub(r"\s+", "", exp)
        for tname, known in paths.items():
            if path in known:
                out[tname].setdefault(path, []).append(name)
    for tname, fl in fields.items():
        for f in fl:
            names = out.setdefault(tname, {}).setdefault(f["path"], [])
            if f["accessor"] not in names and f["accessor"] != f["path"]:
                names.append(f["accessor"])
    return out


def layout_figures(per_type: Mapping[str, Sequence[tuple["TypeLayout", Mapping[str, Sequence[str]]]]]
                   ) -> list[bg.Figure]:
    """type name -> [(layout on one target, its accessors)] -> one figure per type."""
    return [bg.figure_of_layouts([(lay.target, bg.picture_of_layout(lay, acc)) for lay, acc in items])
            for items in per_type.values()]


def diff_figures(report: "Report") -> list[bg.Figure]:
    """One figure per type whose layout changed, OLD above NEW, from the
    shapes ``abicheck diff`` keeps on its report (``Report.layouts``)."""
    figures = []
    for name, sides in report.layouts.items():
        pics = {side: [(t, bg.picture_of_shape(shape, acc)) for t, shape, acc in sides.get(side, ())]
                for side in ("old", "new")}
        # one note per change, naming the ABIs it happens on (a move on
        # x86_64 alone reads differently from one on every target)
        changes: dict[str, list[str]] = {}
        for f in report.findings:
            if f.check == name and f.cause is None:
                on = changes.setdefault(f"{f.verdict}: {f.topic or f.message}", [])
                on.extend(t for t in f.targets if t not in on)
        notes = [f"{line} ({_abis(on, report.targets)})" for line, on in changes.items()]
        figures.append(bg.figure_of_diff(name, pics["old"], pics["new"], notes))
    return figures


def _abis(on: Sequence[str], every: Sequence[str]) -> str:
    """The targets of a change, in the report's order, or "every target"."""
    if len(every) > 1 and set(on) >= set(every):
        return f"all {len(every)} targets"
    return ", ".join([t for t in every if t in on] + [t for t in on if t not in every])


def layout_document(fmt: str, headers: Sequence[str], targets: Sequence, per_type: Mapping[str, Sequence],
                    translations: Mapping[str, tuple["Translation", Sequence["TypeLayout"]]],
                    filtered: bool = False) -> str:
    """``abicheck layout --format html|svg``: ``per_type`` is the command's
    type name -> [(layout, --field results)], ``translations`` target name
    -> (translation, its layouts); ``filtered``: pahole's filters chose the
    records, so an empty picture says that none passes them."""
    from abicheck.views.bytemap import html, svg
    acc: dict[tuple[str, str], dict[str, list[str]]] = {}
    for tname, (tr, layouts) in translations.items():
        fields = {lay.name: fl for items in per_type.values() for lay, fl in items
                  if lay.target == tname and fl}
        for type_name, paths in accessor_paths(tr, layouts, fields).items():
            acc[(tname, type_name)] = paths
    figures = layout_figures({name: [(lay, acc.get((lay.target, lay.name), {})) for lay, _ in items]
                              for name, items in per_type.items()})
    names = ", ".join(t.name for t in targets)
    if filtered:
        empty = f"no record of {', '.join(headers)} passes the filters on {names}"
    else:
        empty = f"{', '.join(headers)} declare{'s' if len(headers) == 1 else ''} no struct, union or typedef on {names}"
    if fmt == "svg":
        return svg.render(figures, empty="" if figures else empty)
    title = f"abicheck layout: {', '.join(headers)} on {names}"
    return html.page(title, figures, intro=[] if figures else [empty])
