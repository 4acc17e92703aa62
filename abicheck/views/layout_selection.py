"""Which layouts ``abicheck layout`` shows, across its targets: the types of
each translation, pahole's record filters, and the numbers ``-P`` prints.

pahole filters one object; we filter several ABIs at once, and a record
that passes on one target is shown for all of them, so that a table or a
byte map compares like with like.  This is library code (the CLI's
``subcommands/layout.py`` only formats what it returns), so the same
selection serves the text, JSON and the byte map.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from abicheck import api
from abicheck.layout import Layouter
from abicheck.views import packable
from abicheck.views.pahole import printed
from abicheck.views.pahole_options import Selection, TextOptions

if TYPE_CHECKING:
    from abicheck.frontend import Translation
    from abicheck.layout import TypeLayout


@dataclass
class Shown:
    """The layouts to show, in the order the targets and types came."""

    #: type name -> [(its layout on one target, its --field results, that target's engine)]
    per_type: dict[str, list[tuple["TypeLayout", tuple, Layouter]]] = field(default_factory=dict)
    #: target name -> (translation, every layout of it, before filtering):
    #: the byte map's accessors come from each target's macros
    translations: dict[str, tuple["Translation", list["TypeLayout"]]] = field(default_factory=dict)
    #: -P: type name -> [(target, size, reordered size)]
    sizes: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)

    def on_target(self, target: str) -> list[tuple["TypeLayout", tuple]]:
        """(layout, --field results) of the shown types on ``target``, in
        the order its translation laid them out."""
        found = {x.name: fl for items in self.per_type.values() for x, fl, _ in items if x.target == target}
        return [(x, found[x.name]) for x in self.translations[target][1] if x.name in found]


def passes(sel: Selection, lay: "TypeLayout", reordered_size: int, engine: Layouter) -> bool:
    """Whether pahole's filters ``sel`` list ``lay``, its holes counted as
    pahole's text counts them (the summary's ``holes:`` and ``bit holes:``);
    ``engine``: the layout's target's (its text may hold enumerators)."""
    if lay.root.kind == "struct" and lay.root.children:
        st = printed(lay.root, TextOptions(layouter=engine)).stats
        holes, bit_holes = len(st.holes), len(st.bit_holes)
    else:
        holes = bit_holes = 0
    # pahole's precondition: reordering is tried on structs with holes only
    shrinks = bool(holes or bit_holes) and reordered_size < lay.size
    return sel.keeps(lay, holes, bit_holes, shrinks)


def select(translations: Iterable["Translation"], headers: Sequence[str], types: Sequence[str],
           fields: Sequence[str], sel: Selection) -> Shown:
    """The layouts of ``types`` (default: the records the headers define,
    else their typedefs; a header that declares neither, glibc's
    <complex.h>, has nothing to show) on every translation, with
    ``--field`` resolved, kept where ``sel`` passes them on some target."""
    out = Shown()
    passed: set[str] = set()
    for tr in translations:
        t = tr.target
        names = types or api.declared_records(tr, headers) or api.declared_typedefs(tr, headers)
        layouts = api.layout_translation(tr, names)
        engine = Layouter(tr.unit, t)       # filters, -E, enumerator values
        for x in layouts:
            if sel.active:
                new = packable.reordered_size(engine, x) if sel.packable else x.size
                if passes(sel, x, new, engine):
                    passed.add(x.name)
                out.sizes.setdefault(x.name, []).append((t.name, x.size, new))
        out.translations[t.name] = (tr, layouts)
        found = api.resolve_fields(tr, layouts, list(fields)) if fields else {}
        for x in layouts:
            out.per_type.setdefault(x.name, []).append((x, found.get(x.name, ()), engine))
    if sel.active:
        out.per_type = {n: v for n, v in out.per_type.items() if n in passed}
    return out
