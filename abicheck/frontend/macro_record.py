"""Reading a translation's macros from cpp's ``-dD`` record, a stretch at a time
(``Preprocessed.macros`` reads them so).

``cpp_output._scan_macros`` reads the record line by line; a tree diff
reads the macros of some 2,000 translations per ABI whose records repeat
the same stretches (the target's predefined macros, linux/types.h and what
it includes...).  A stretch from one line marker entering or leaving a
file to the next is read the same whatever came before it (the marker sets
the file and the line), so each distinct stretch is read once here and its
effects replayed: the same definitions, in the same order, and the same
``macros_exact`` (tests/frontend/test_macros_record.py).
"""
from __future__ import annotations

import re

from abicheck.frontend.cpp_output import (
    _DEFINE, _MARKER, _UNDEF, MAIN, MacroDef, _unescape, macro_def)

_BUILTIN = ("<built-in>", "<command-line>")
_PUSH_POP = re.compile(r"#pragma\s+(?:push|pop)_macro\b")
#: stretch text -> what it does to the macro state: in order, a ``MacroDef``
#: (defined), a name (undefined), or None (a push/pop_macro pragma); or, when
#: it only defines, name -> its last ``MacroDef`` in the order of those
_STRETCHES: dict[str, "tuple | dict[str, MacroDef]"] = {}
_STRETCHES_MAX = 1 << 14


def scan(output: str) -> tuple[tuple[MacroDef, ...], bool]:
    """``cpp_output._scan_macros(output)``, stretch by stretch."""
    macros, exact = scan_map(output)
    return tuple(macros.values()), exact


def scan_map(output: str) -> tuple[dict[str, MacroDef], bool]:
    """``scan``, with the macros by name in their order (what it builds on
    the way: a diff asks for them by name, and building the dict again
    from the tuple, per translation, was 3% of a tree diff)."""
    macros: dict[str, MacroDef] = {}
    exact = True
    undone: set[str] = set()        # predefined names an #undef took away (at some point)
    memo = _STRETCHES
    for text in _stretches(output):
        effects = memo.get(text)
        if effects is None:
            if len(memo) >= _STRETCHES_MAX:
                memo.clear()
            effects = memo[text] = _effects(text)
        if effects.__class__ is dict:
            # definitions alone (most stretches): redefined names move to the end
            if not macros.keys().isdisjoint(effects):
                for name in effects:
                    macros.pop(name, None)
            macros.update(effects)
            continue
        for e in effects:
            if e.__class__ is str:
                gone = macros.pop(e, None)
                if gone is not None and (gone.loc.file in _BUILTIN or e in undone):
                    undone.add(e)
            elif e is None:
                exact = False
            else:
                macros.pop(e.name, None)
                macros[e.name] = e
    # exact unless one is left undefined (arm's asm/types.h undefines
    # __INT32_TYPE__ and defines it again: exact)
    return macros, exact and all(n in macros for n in undone)


def _stretches(output: str) -> list[str]:
    """``output`` cut before each line marker entering or leaving a file
    (``# 12 "path" 1``, ``# 40 "path" 2``): lines ``cpp_output._MARKER`` matches, so the stretch each
    opens is read the same whatever came before it (the marker sets the
    file and the line).  Found with ``str.find``: a regular expression tried
    at every line took 4x longer."""
    out: list[str] = []
    find, rfind = output.find, output.rfind
    last = at = 0
    while True:
        k = find('" ', at)
        if k < 0:
            break
        at = k + 2
        if output[at:at + 1] not in ("1", "2") or output[at + 1:at + 2] not in ("", " ", "\n"):
            continue
        start = rfind("\n", 0, k)
        if start < last:
            continue                    # the first line, or the line already cut at
        end = find("\n", k)
        if _MARKER.match(output[start + 1:end if end >= 0 else len(output)]):
            out.append(output[last:start])
            last = start + 1
    out.append(output[last:])
    if _COMMAND_LINE in out[0]:
        out[:1] = _each_command_line(out[0])
    return out


#: the marker cpp writes before each command-line macro of the record
_COMMAND_LINE = '\n# 0 "<command-line>"\n'


def _each_command_line(stretch: str) -> list[str]:
    """The record's first stretch (the built-in and command-line macros)
    cut again before each command-line macro's marker.  Why: it is the one
    stretch that differs on every target (its macros are the target's), a
    2 ms read each; most of its macros are the same on many targets, and
    each read once makes the 27 targets of a check cost about one."""
    out = stretch.split(_COMMAND_LINE)
    return [out[0]] + [_COMMAND_LINE[1:] + part for part in out[1:]]


def _effects(stretch: str) -> "tuple | dict[str, MacroDef]":
    """What one stretch of a ``-dD`` record does, as ``_scan_macros`` reads
    it (its first line, a marker, sets the file and line)."""
    out: list = []
    file, line = "<built-in>", 0
    for text in stretch.split("\n"):
        if text.startswith("#"):
            m = _MARKER.match(text)
            if m:
                file, line = _unescape(m.group(2)), int(m.group(1))
                if file == "<stdin>":
                    file = MAIN
                continue
            d = _DEFINE.match(text)
            if d:
                out.append(macro_def(d, file, line))
            else:
                u = _UNDEF.match(text)
                if u:
                    out.append(u.group(1))
                elif _PUSH_POP.match(text):
                    out.append(None)
        line += 1
    if all(e.__class__ is MacroDef for e in out):
        net: dict[str, MacroDef] = {}
        for e in out:
            net.pop(e.name, None)
            net[e.name] = e
        return net
    return tuple(out)
