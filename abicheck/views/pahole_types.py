"""What pahole prints for the named types that are not records: typedefs of
scalars, pointers, arrays and functions, and enums.

A reader asking for ``u64_t`` wants to see what it stands for, so a typedef
prints its underlying type as GCC names it in DWARF (``typedef long unsigned
int u64_t;``), a function pointer in declarator form (``typedef void
(*handler_t)(int);``), and an enum -- by tag, or a typedef of an anonymous one
-- lists its enumerators with their values, names padded to the longest.  The
same enumerator lines serve an anonymous enum written inside a record
(``views/pahole.py`` expands it in place as pahole does).

pahole's own habits, kept here because the golden test holds us to them: a
type column of 26 before an array's name, two spaces after a qualified type,
a pointer to an array printed as a pointer to its element, ``[0]`` for an
array of unknown length, and ``__packed__`` on every enum whose size is not
an ``int``'s.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from abicheck import model as m
from abicheck.layout import Member
from abicheck.views.dwarf_names import declaration, parameters, type_name

if TYPE_CHECKING:
    from abicheck.layout import Layouter, TypeLayout
    from abicheck.views.pahole_options import TextOptions

#: pahole compares an enum's size with its own ``sizeof(int)``
_INT_SIZE = 4
_TYPE_SPACING = 26


#: GCC's c_common_type_for_mode: the first C integer type of a mode's size
#: names it (DImode is ``long int`` on LP64, ``long long int`` on ILP32)
_MODE_ORDER = ("int", "char", "short", "long", "long long")


def _moded(s: m.Scalar, size: int, eng: "Layouter") -> m.Scalar:
    """The integer type a ``mode`` attribute makes of ``s``: DWARF names
    it (``typedef int register_t __attribute__((mode(word)))`` is ``long
    int`` on x86_64)."""
    for kind in _MODE_ORDER:
        if eng.target.scalar(kind).size == size:
            signed = eng.is_signed(s)
            return m.Scalar(kind, signed, "")
    return s


def typedef_chain(t: m.Type, eng: "Layouter", in_array: bool = False) -> tuple[str, m.Type]:
    """-E: pahole's ``/* typedef A -> B */ `` for a type that is (an array
    of) a typedef, and the type the typedefs name; ``""`` and ``t`` else."""
    # an array's element type is printed through its typedefs too, so a
    # typedef of an array of typedefs gets two comments; but GCC's DWARF
    # merges an array of (a typedef of) an array into one array type, so
    # a typedef of an array inside an array leaves no name, only its dims
    arrays = []
    while isinstance(t, m.Array):
        arrays.append(t)
        t = t.element
    names = []
    while isinstance(t, m.TypedefRef) and not t.quals:   # const T: pahole prints T's name
        names.append(t.name)
        t = eng.unit.typedefs[t.name].type
    if isinstance(t, m.Array) and (arrays or in_array):
        names = []
    prefix = f"/* typedef {' -> '.join(names)} */ " if names else ""
    if isinstance(t, m.Array):
        more, t = typedef_chain(t, eng, True)
        prefix += more
    for a in reversed(arrays):
        t = dataclasses.replace(a, element=t)
    return prefix, t


def enum_attrs(size: int) -> str:
    """pahole calls an enum packed when it is not int-sized (GCC's
    ``packed`` enums, and the 8-byte ones values beyond 32 bits make)."""
    return " __attribute__((__packed__))" if size != _INT_SIZE else ""


def enumerator_lines(e: m.Enum, eng: "Layouter", tabs: str, hex: bool = False) -> list[str]:
    """``NAME = value,`` per enumerator, names padded to the longest; with
    ``--hex`` as C's ``%#llx`` of the value as 64 unsigned bits, as pahole
    prints them (-1 is ``0xffffffffffffffff``)."""
    if eng is None:
        raise ValueError("the pahole text of an enum needs its target's Layouter (TextOptions.layouter)")
    values = [(v.name, eng.eval(v.value, v.loc)) for v in e.values or ()]
    width = max((len(n) for n, _ in values), default=0)
    if hex:
        values = [(n, "0" if v == 0 else f"{v & (1 << 64) - 1:#x}") for n, v in values]
    return [f"{tabs}{n:<{width}} = {v}," for n, v in values]


def render_type(lay: "TypeLayout", opts: "TextOptions") -> list[str]:
    """The lines pahole prints for ``lay``, an enum or a typedef of anything
    but a record (those print as the record, ``views/pahole.py``)."""
    root = lay.root
    eng = opts.layouter
    if eng is None:
        raise ValueError("the pahole text of a typedef needs its target's Layouter (TextOptions.layouter)")
    if isinstance(root.type, m.EnumRef):
        e = eng.strip(root.type)
        return [f"enum {e.tag} {{", *enumerator_lines(e, eng, "\t", opts.hex), f"}}{enum_attrs(lay.size)};"]
    td = eng.unit.typedefs[lay.name]
    t, name = td.type, lay.name
    if td.attrs.mode and isinstance(t, m.Scalar) and t.kind in _MODE_ORDER:
        t = _moded(t, lay.size, eng)
    if td.attrs.vector_size is not None:
        # DWARF: an array of the element flagged GNU_vector; pahole says so
        return [f"typedef {type_name(t):<{_TYPE_SPACING}} {name} "
                f"__attribute__ ((__vector_size__ ({lay.size})));"]
    if isinstance(t, m.Enum) and t.tag is None:
        return ["typedef enum {", *enumerator_lines(t, eng, "\t", opts.hex), f"}}{enum_attrs(lay.size)} {name};"]
    if isinstance(t, m.Enum):
        return [f"typedef enum {t.tag} {name};"]
    if isinstance(t, m.Function):
        return [f"typedef {type_name(t.returns)} ({name})({parameters(t)});"]
    if isinstance(t, m.Pointer) and isinstance(t.to, m.Function):
        return [f"typedef {type_name(t.to.returns)} (*{name})({parameters(t.to)});"]
    if isinstance(t, m.Array):
        # the declarator a member of this type would have, in a member's columns
        prefix, t = typedef_chain(t, eng) if opts.expand_types else ("", t)
        fake = Member(name, None, t, eng.type_name(t), 0, lay.size, lay.align)
        ty, decl = declaration(fake)
        return [f"typedef {prefix}{ty:<{_TYPE_SPACING}} {decl};"]
    sep = "  " if getattr(t, "quals", "") and not isinstance(t, m.Pointer) else " "
    return [f"typedef {type_name(t)}{sep}{name};"]

