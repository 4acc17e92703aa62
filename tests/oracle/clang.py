"""libclang as a layout oracle.

libclang (the ``libclang`` wheel from PyPI, pinned in the ``test`` extra) lays
records out with clang's own ``ASTRecordLayout`` for any ``-target`` it knows.
We parse the C text once per call, look every requested type up, and flatten
its record tree into the member list convention shared with abicheck's layout
JSON (see ``oracle/__init__.py``).

Why libclang and not a clang binary: it is one ``pip install`` away on every
CI machine, needs no cross toolchain, and reports sizes, alignments and field
offsets directly (``Type.get_size/get_align``, ``Cursor.get_field_offsetof``),
so nothing has to be compiled or run.
"""
from __future__ import annotations

import atexit
import ctypes
import functools
from typing import Sequence

from oracle.common import OracleError, member, record_name, type_json

_SOURCE_NAME = "abicheck_oracle_probe.c"


@functools.cache
def _cindex():
    """Import ``clang.cindex`` and bind the one call the bindings lack."""
    import clang.cindex as ci

    lib = ci.conf.lib
    # clang_Cursor_isAnonymousRecordDecl: true only for a C11 anonymous
    # struct/union *member* (``struct { int a; };``), unlike
    # ``Cursor.is_anonymous()``, which is also true for ``struct { } name;``.
    fn = lib.clang_Cursor_isAnonymousRecordDecl
    fn.argtypes = [ci.Cursor]
    fn.restype = ctypes.c_uint
    return ci


@functools.cache
def _index():
    index = _cindex().Index.create()
    # Drop it before interpreter teardown, while clang.cindex can still free it.
    atexit.register(_index.cache_clear)
    return index


def have_clang() -> bool:
    """True when ``clang.cindex`` imports and its shared library loads."""
    try:
        _index()
    except Exception:  # ImportError, LibclangError, OSError: all mean "no"
        return False
    return True


def _is_anonymous_member(field) -> bool:
    ci = _cindex()
    canon = field.type.get_canonical()
    if canon.kind != ci.TypeKind.RECORD:
        return False
    return bool(ci.conf.lib.clang_Cursor_isAnonymousRecordDecl(canon.get_declaration()))


def _is_tagged(c, kw: str) -> bool:
    # clang 18 spells `typedef struct { } T;`'s record "T": not a tag.
    return c.type.get_canonical().spelling == f"{kw} {c.spelling}"


def _find_type(tu, name: str):
    """The clang ``Type`` for a typedef name, ``struct TAG`` or ``union TAG``."""
    ci = _cindex()
    kind, tag = record_name(name)
    want = {"struct": ci.CursorKind.STRUCT_DECL, "union": ci.CursorKind.UNION_DECL,
            None: ci.CursorKind.TYPEDEF_DECL}[kind]

    def matches(c) -> bool:
        if c.kind != want or c.spelling != tag:
            return False
        return kind is None or (c.is_definition() and _is_tagged(c, kind))

    for c in tu.cursor.get_children():
        if matches(c):
            return c.type
    # C gives a record declared inside another record file scope too.
    for c in tu.cursor.walk_preorder():
        if matches(c):
            return c.type
    raise OracleError(f"clang: type '{name}' is not defined by the source")


def _checked(value: int, what: str) -> int:
    if value < 0:
        raise OracleError(f"clang: layout query failed for {what} (code {value})")
    return value


def _field_size(field, what: str) -> int:
    ci = _cindex()
    if field.type.get_canonical().kind == ci.TypeKind.INCOMPLETEARRAY:
        return 0  # a flexible array member adds no storage
    return _checked(field.type.get_size(), what)


def _members(ctype, prefix: str, base_bits: int, out: list[dict], tname: str) -> None:
    ci = _cindex()
    for f in ctype.get_canonical().get_fields():
        off_bits = base_bits + _checked(f.get_field_offsetof(), f"{tname}: {prefix}{f.spelling}")
        if _is_anonymous_member(f):
            _members(f.type, prefix, off_bits, out, tname)
            continue
        name = f.spelling
        if f.is_bitfield():
            if not name:
                continue  # unnamed bitfields are padding, not members
            width = f.get_bitfield_width()
            out.append(member(prefix + name, off_bits // 8,
                              _field_size(f, f"{tname}: {prefix}{name}"), off_bits, width))
            continue
        path = prefix + name
        if off_bits % 8:
            raise OracleError(f"clang: {tname}: {path} is not byte-aligned ({off_bits} bits)")
        out.append(member(path, off_bits // 8, _field_size(f, f"{tname}: {path}")))
        if f.type.get_canonical().kind == ci.TypeKind.RECORD:
            _members(f.type, path + ".", off_bits, out, tname)


def _parse(source, triple, args, include_dirs, defines):
    ci = _cindex()
    cmd = ["-x", "c", "-target", triple, "-nostdinc", *args]
    for d in include_dirs:
        cmd += ["-I", str(d)]
    for d in defines:
        cmd += ["-D", d]
    try:
        tu = _index().parse(_SOURCE_NAME, args=cmd, unsaved_files=[(_SOURCE_NAME, source)],
                            options=ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES)
    except ci.TranslationUnitLoadError as e:
        raise OracleError(f"clang ({triple}): could not parse the source: {e}") from None
    errors = [str(d) for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
    if errors:
        raise OracleError(f"clang ({triple}): " + "\n".join(errors[:10]))
    return tu


def clang_records(source: str, triple: str, file_suffixes: Sequence[str], args: Sequence[str] = (),
                  include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> list[str]:
    """Names of the complete structs, unions and typedefs of records declared
    at file scope in a file whose path ends with one of ``file_suffixes``, as
    clang sees them for ``-target triple``; sorted."""
    ci = _cindex()
    tu = _parse(source, triple, args, include_dirs, defines)
    out = set()
    for c in tu.cursor.get_children():
        f = c.location.file
        if f is None or not f.name.endswith(tuple(file_suffixes)):
            continue
        if c.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL):
            kw = "struct" if c.kind == ci.CursorKind.STRUCT_DECL else "union"
            if c.is_definition() and _is_tagged(c, kw):
                out.add(f"{kw} {c.spelling}")
        elif c.kind == ci.CursorKind.TYPEDEF_DECL:
            t = c.type.get_canonical()
            if t.kind == ci.TypeKind.RECORD and t.get_size() >= 0:
                out.add(c.spelling)
    return sorted(out)


def clang_layout(source: str, types: Sequence[str], triple: str, args: Sequence[str] = (),
                 include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> dict[str, dict]:
    """Layouts of ``types`` as clang lays them out for ``-target triple``.

    source:
        C text, parsed in memory as one translation unit (``#include`` lines
        resolve through ``include_dirs`` only: ``-nostdinc``).
    types:
        typedef names, ``struct TAG`` or ``union TAG``.
    args:
        extra clang options for the ABI (``-mabi=...``, ``-m32``...).
    defines:
        ``NAME`` or ``NAME=VALUE``, as for ``-D``.

    Returns ``{type name: layout JSON}``.  Raises :class:`OracleError` when
    clang reports an error or cannot lay a type out.
    """
    ci = _cindex()
    tu = _parse(source, triple, args, include_dirs, defines)
    out: dict[str, dict] = {}
    for name in types:
        t = _find_type(tu, name)
        if t.get_canonical().kind != ci.TypeKind.RECORD:
            raise OracleError(f"clang: '{name}' is not a struct or union")
        members: list[dict] = []
        _members(t, "", 0, members, name)
        out[name] = type_json(name, _checked(t.get_size(), f"sizeof({name})"),
                              _checked(t.get_align(), f"alignof({name})"), members)
    return out
