"""Build the model of each distinct file-scope declaration once per process.

Why: the piecewise parse (``chunks``) hands every unit the very nodes it
parsed before for a declaration met before (same text, place and scope).
Building the model from them again was most of the builder's time:
over the 608 x86_64 uapi headers 36,000 file-scope declarations are built,
of which 4,900 are distinct nodes (a typedef of ``linux/types.h`` is built
once per header that includes it).

What the model built from one declaration depends on, hence when a
remembered build is reused:
- the node itself (the parse memo keeps nodes alive, and so does this one,
  so an id is never reused while remembered), and where it stands (one
  node serves a declaration at every line and in every tree it is met in:
  ``chunks.Shift``; the objects built hold their locations);
- the ``#pragma pack`` value in force (stamped on records); a declaration
  whose body holds a pragma changes it, and is never remembered;
- for each name it asked about, whether the unit has a typedef of that name
  (``T`` is a typedef reference or an error; an ``aligned(sizeof(T))``
  argument is read with the typedefs of the unit).
Nothing else of the unit steers the build: its registrations (a record
declared or defined, an enum, an enumerator, a typedef) are remembered as
operations and replayed with the same rule as the first time (a definition
replaces a declaration, the first enum or typedef of a name stays), so the
tables end up as a fresh build leaves them, in the same order.

Replayed objects are shared between units, never within one, so a unit
pickles (``cache.units``) byte for byte as a fresh build: a node met twice
in one unit (a header without include guard, included twice) registers
nothing the second time, since its first meeting took every key it
registers (a definition stays, and so do the first enum, enumerator and
typedef of a name and any record declaration).
"""
from __future__ import annotations

from typing import Callable

from pycparser import c_ast

#: the registrations a declaration makes (``apply`` reads them)
FORWARD, DEFINE, ENUM, CONSTANT, TYPEDEF = range(5)

#: (id(node), shift) -> [(node, pack value, answers, operations)]
_BUILT: dict[tuple[int, object], list[tuple[c_ast.Node, int | None, tuple, tuple]]] = {}
_LIMIT = 40_000                 # (node, place) pairs before the memo starts afresh
_VARIANTS = 8                   # typedef contexts remembered per node


class Recording:
    """What one declaration's build asked and registered."""

    __slots__ = ("answers", "ops", "pure")

    def __init__(self) -> None:
        self.answers: dict[str, bool] = {}
        self.ops: list[tuple[int, object, object]] = []
        self.pure = True            # False: it fed a pragma, or it cannot be replayed


def clear() -> None:
    """Forget the remembered builds."""
    _BUILT.clear()


def find(node: c_ast.Node, pack: int | None, is_typedef: Callable[[str], bool],
         shift: object = None) -> tuple | None:
    """The operations a build of ``node`` made in the same context, or None;
    ``shift``: where the node stands when it was parsed at another place
    (``chunks.Shift``; the objects built hold their locations)."""
    for v in _BUILT.get((id(node), shift), ()):
        if v[0] is node and v[1] == pack and all(is_typedef(n) == a for n, a in v[2]):
            return v[3]
    return None


def keep(node: c_ast.Node, pack: int | None, rec: Recording, shift: object = None) -> None:
    """Remember the build ``rec`` of ``node`` under pack value ``pack``, at ``shift``."""
    if not rec.pure:
        return
    if len(_BUILT) >= _LIMIT:
        _BUILT.clear()
    kept = _BUILT.setdefault((id(node), shift), [])
    if len(kept) < _VARIANTS:
        kept.append((node, pack, tuple(rec.answers.items()), tuple(rec.ops)))


def apply(op: int, key, obj, records: dict, enums: dict, typedefs: dict, constants: dict) -> None:
    """One registration, as the builder makes it."""
    if op == FORWARD:
        if key not in records:
            records[key] = obj
    elif op == DEFINE:
        old = records.get(key)
        if old is None or old.fields is None:
            records[key] = obj
    elif op == ENUM:
        enums.setdefault(key, obj)
    elif op == CONSTANT:
        constants.setdefault(key, obj)
    else:
        typedefs.setdefault(key, obj)
