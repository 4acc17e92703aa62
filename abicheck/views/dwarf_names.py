"""C types spelled as GCC names them in DWARF, and so as pahole prints them.

GCC gives base types their own names (``long unsigned int`` for ``unsigned
long``), keeps typedef names, and pahole writes pointers as ``T *`` (a pointer
to a pointer is ``T * *``) and function pointers in declarator form around the
member's name.
"""
from __future__ import annotations

import dataclasses
import re

from abicheck import model as m
from abicheck.layout import Member

#: GCC's DWARF names of the integer types (DW_AT_name of DW_TAG_base_type)
_INT_NAMES = {
    ("short", True): "short int", ("short", False): "short unsigned int",
    ("int", True): "int", ("int", False): "unsigned int",
    ("long", True): "long int", ("long", False): "long unsigned int",
    ("long long", True): "long long int", ("long long", False): "long long unsigned int",
    ("__int128", True): "__int128", ("__int128", False): "__int128 unsigned",
    ("char", None): "char", ("char", True): "signed char", ("char", False): "unsigned char",
}

#: one array dimension in a type's spelling
_DIMS = re.compile(r"\[[^\[\]]*\]")


def scalar_name(s: m.Scalar) -> str:
    """The name GCC gives a base type in DWARF (``unsigned long`` is
    ``long unsigned int``), which is what pahole prints."""
    if s.complex:
        return f"complex {_INT_NAMES.get((s.kind, s.signed), s.kind)}"
    if s.spelling in ("__builtin_va_list", "__float128", "__ibm128", "__ieee128") \
            or s.spelling.startswith("_Float"):
        return s.spelling
    return _INT_NAMES.get((s.kind, s.signed), s.kind)


def type_name(t: m.Type) -> str:
    """A type as pahole spells it in a type column or a parameter list,
    qualifiers in pahole's places: ``const char  *`` (two spaces) for a
    pointer to const, ``const char *`` for a const pointer, ``const char  *
    const *`` for a pointer to that."""
    quals = getattr(t, "quals", "")
    if isinstance(t, m.Pointer):
        to = t.to
        while isinstance(to, m.Array):   # pahole: a pointer to an array points to its element
            to = to.element
        if isinstance(to, m.Function):
            return f"{type_name(to.returns)} (*)({parameters(to)})"
        inner = getattr(to, "quals", "")
        if inner and isinstance(to, m.Pointer):
            text = f"{type_name(dataclasses.replace(to, quals=''))} {inner} *"
        elif inner:
            text = f"{type_name(to)}  *"
        else:
            text = f"{type_name(to)} *"
    elif isinstance(t, m.Scalar):
        text = scalar_name(t)
    elif isinstance(t, m.Array):
        return f"{type_name(t.element)}[]"
    else:
        text = m.c_name(t)
    return f"{quals} {text}" if quals else text


def parameters(fn: m.Function) -> str:
    """A function's parameter list as pahole prints it."""
    # DWARF lists no parameter both for (void) and for (): pahole says void
    names = [type_name(_decayed(p)) for p in fn.params or ()] + (["..."] if fn.variadic else [])
    return ", ".join(names) if names else "void"


def declaration(c: Member, flexible: bool = False) -> tuple[str, str]:
    """(type column, declarator) of a member: arrays keep their dimensions on
    the name, function pointers wrap it (``(*cb)(int)``).  DWARF says only
    "no elements" for both ``[]`` and ``[0]``; pahole writes ``[]`` where a
    flexible array may stand (``flexible``) and ``[0]`` elsewhere."""
    name = c.name or ""
    t = c.type
    levels = 0
    while isinstance(t, m.Array):
        t = t.element
        levels += 1
    # the member's own dimensions close its type's spelling (``char[3][4]``);
    # brackets before them belong to the element (a pointer to an array)
    dims = "".join(_DIMS.findall(c.type_name)[-levels:]) if levels else ""
    if dims.startswith(("[]", "[0]")):
        dims = ("[]" if flexible else "[0]") + dims[dims.index("]") + 1:]
    if isinstance(t, m.Pointer) and isinstance(t.to, m.Function):
        # an array of function pointers: pahole puts the dimensions last
        return type_name(t.to.returns), f"(*{name})({parameters(t.to)}){dims}"
    quals = getattr(t, "quals", "") if dims else ""
    # GCC qualifies the array type too, and pahole says so once more
    return (f"{quals} " if quals else "") + type_name(t), name + dims


def _decayed(t: m.Type) -> m.Type:
    """A parameter's type as the function has it: arrays and functions
    become pointers (C11 6.7.6.3), which is what DWARF records."""
    if isinstance(t, m.Array):
        return m.Pointer(t.element)
    if isinstance(t, m.Function):
        return m.Pointer(t)
    return t
