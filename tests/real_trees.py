"""Whole real header trees against the compilers: the machinery.

For one ABI and one header of a Debian package (``linux-libc-dev`` for the
kernel's uapi headers, ``libc6-dev`` for glibc's; their ``-<arch>-cross``
twins for other ABIs), decide what the compiler says and whether abicheck
says the same:

- the **compile oracle** is the ABI's own gcc when installed (host gcc for
  x86_64, the Debian cross gcc with the row's ABI flags otherwise), else
  libclang with ``-target``: does ``#include <H>`` compile, and where is the
  first error;
- a header that does not compile alone is tried after the libc prelude a
  user would write (``PRELUDE``);
- where it compiles, abicheck must translate it and lay out every complete
  struct, union and typedef that ``H`` itself declares, and agree with the
  **layout oracle** (``tests/oracle``: libclang, or the cross gcc where
  libclang is wrong or absent) member by member; the set of types must be
  the oracle's too, so nothing is skipped silently;
- where it does not compile even with the prelude, abicheck must fail too,
  its first error at the compiler's first error's ``file:line``.

``check_header`` returns None when all of that holds, else a one-line
account of the difference; the tests collect those lines per tree and ABI
and require none.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass
from typing import Sequence

from oracle import NoOracle, OracleError, compiler_include_dir, pick_oracle
from test_oracle_headers import DEBIAN_MULTIARCH

#: What a user includes before a uapi header that needs libc types
#: (``struct sockaddr``, ``struct timespec``, ``size_t``...).
PRELUDE = ("#include <sys/types.h>\n#include <sys/socket.h>\n#include <sys/time.h>\n"
           "#include <stdint.h>\n#include <stddef.h>\n#include <signal.h>\n")

#: Debian architecture of a target row -> multiarch triple of its cross tree.
MULTIARCH = DEBIAN_MULTIARCH
_GCC_ERROR = re.compile(r"^(.+?):(\d+):(?:\d+:)? (?:fatal )?error: ")
_OUR_ERROR = re.compile(r"^(.+?):(\d+)(?::\d+)?: error: ")


@dataclass(frozen=True)
class Tree:
    """One installed package's headers for one ABI."""

    package: str
    include_dirs: tuple[str, ...]
    headers: tuple[str, ...]          # include names, sorted


@functools.lru_cache(maxsize=None)
def _real(path: str) -> str:
    return os.path.realpath(path)


def _dpkg_files(package: str) -> list[str]:
    r = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else []


@functools.cache
def tree(target_name: str, debian_arch: str | None, kind: str) -> Tree | None:
    """The ``kind`` ("kernel" or "glibc") tree of Debian headers for a row,
    or None when its package is not installed here."""
    if debian_arch == "amd64":
        dirs = ("/usr/include/x86_64-linux-gnu", "/usr/include")
        package = {"kernel": "linux-libc-dev", "glibc": "libc6-dev"}[kind]
    elif debian_arch in MULTIARCH:
        dirs = (f"/usr/{MULTIARCH[debian_arch]}/include",)
        libc = "libc6.1-dev" if debian_arch == "alpha" else "libc6-dev"
        package = {"kernel": "linux-libc-dev", "glibc": libc}[kind] + f"-{debian_arch}-cross"
    else:
        return None
    names = set()
    for f in _dpkg_files(package):
        if not f.endswith(".h") or not os.path.isfile(f):
            continue
        for d in dirs:
            if f.startswith(d + "/"):
                names.add(f[len(d) + 1:])
                break
    return Tree(package, dirs, tuple(sorted(names))) if names else None


def sample(headers: Sequence[str], every: int) -> list[str]:
    """A deterministic 1-in-``every`` sample, spread over the whole tree."""
    return list(headers) if every <= 1 else [h for i, h in enumerate(headers) if i % every == 0]


# ------------------------------------------------------------ compile oracle

def _cc_dirs(dirs: Sequence[str]) -> list[str]:
    cc = compiler_include_dir()
    return ([cc] if cc else []) + list(dirs)


def compiles(target, source: str, dirs: Sequence[str]) -> tuple[bool, str | None]:
    """(compiles, ``file:line`` of the first error) by the ABI's own compiler:
    its gcc when installed, else libclang."""
    gcc = list(target.gcc or ())
    if target.name == "x86_64":
        gcc = ["gcc"]
    from oracle import have_gcc
    if gcc and have_gcc(gcc):
        cmd = [*gcc, "-fsyntax-only", "-w", "-nostdinc"]
        for d in _cc_dirs(dirs):
            cmd += ["-I", d]
        r = subprocess.run([*cmd, "-x", "c", "-"], input=source, capture_output=True, text=True)
        if r.returncode == 0:
            return True, None
        for line in r.stderr.splitlines():
            m = _GCC_ERROR.match(line)
            if m:
                return False, f"{os.path.realpath(m[1])}:{m[2]}" if m[1] != "<stdin>" else f"<stdin>:{m[2]}"
        return False, "?"
    ci, tu = _clang_tu(target, source, dirs)
    for d in tu.diagnostics:
        if d.severity >= ci.Diagnostic.Error:
            f = d.location.file
            return False, f"{os.path.realpath(f.name)}:{d.location.line}" if f else "?"
    return True, None


def _clang_tu(target, source: str, dirs: Sequence[str]):
    """(clang.cindex, the translation unit of ``source`` for the row's triple)."""
    from oracle.clang import _cindex, _index
    ci = _cindex()
    args = ["-x", "c", "-target", target.clang_triple, "-nostdinc", *(target.clang_args or ())]
    for d in _cc_dirs(dirs):
        args += ["-I", d]
    return ci, _index().parse("probe.c", args=args, unsaved_files=[("probe.c", source)],
                              options=ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES)


# ------------------------------------------------------------ type lists

def _clang_declared(target, source: str, dirs: Sequence[str], path: str) -> dict[str, tuple]:
    """Every complete struct, union and typedef declared in ``path``, with
    (size, align, is_record), as libclang sees them."""
    from oracle.clang import _is_tagged
    ci, tu = _clang_tu(target, source, dirs)
    out: dict[str, tuple] = {}
    for c in tu.cursor.walk_preorder():
        f = c.location.file
        if f is None or _real(f.name) != path:
            continue
        if c.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL):
            kw = "struct" if c.kind == ci.CursorKind.STRUCT_DECL else "union"
            if c.is_definition() and c.spelling and _is_tagged(c, kw):
                out[f"{kw} {c.spelling}"] = (c.type.get_size(), c.type.get_align(), True)
        elif c.kind == ci.CursorKind.TYPEDEF_DECL and c.semantic_parent.kind == ci.CursorKind.TRANSLATION_UNIT:
            t = c.type.get_canonical()
            if t.kind in (ci.TypeKind.FUNCTIONPROTO, ci.TypeKind.FUNCTIONNOPROTO):
                continue
            size = c.type.get_size()
            if size >= 0:
                out[c.spelling] = (size, c.type.get_align(), t.kind == ci.TypeKind.RECORD)
    return out


def _ours_declared(tr, path: str) -> list[str]:
    """What abicheck finds declared in ``path``: complete records (nested
    named ones too) and typedefs of complete, non-function types."""
    from abicheck import model as m
    from abicheck.errors import AbicheckError
    from abicheck.layout import Layouter
    lay = Layouter(tr.unit, tr.target)
    names = [f"{k} {tag}" for (k, tag), r in tr.unit.records.items()
             if r.fields is not None and r.loc and _real(r.loc.file) == path]
    for name, td in tr.unit.typedefs.items():
        if not (td.loc and _real(td.loc.file) == path):
            continue
        stripped = lay.strip(td.type)
        if isinstance(stripped, m.Function) or (isinstance(stripped, m.Scalar) and stripped.kind == "void"):
            continue                # C: no object type, nothing to lay out
        try:
            lay.size_align(m.TypedefRef(name))
        except AbicheckError:
            if _incomplete(lay, td.type):
                continue            # typedef struct _IO_FILE FILE: nothing to lay out
            raise
        names.append(name)
    return sorted(names)


def _incomplete(lay, t) -> bool:
    from abicheck import model as m
    t = lay.strip(t)
    if isinstance(t, m.Record):
        return t.fields is None
    if isinstance(t, m.Enum):
        return t.values is None
    if isinstance(t, m.Array):
        return t.length is None or _incomplete(lay, t.element)
    return isinstance(t, m.Scalar) and t.kind == "void"


def resolve(header: str, dirs: Sequence[str]) -> str:
    for d in dirs:
        p = os.path.join(d, header)
        if os.path.isfile(p):
            return os.path.realpath(p)
    raise FileNotFoundError(header)


# ------------------------------------------------------------ one header

def check_header(target, header: str, dirs: Sequence[str]) -> str | None:
    """None when abicheck does on ``header`` what the compilers do, else why not."""
    from abicheck import api
    from abicheck.errors import AbicheckError

    path = resolve(header, dirs)
    source = f"#include <{header}>\n"
    ok, where = compiles(target, source, dirs)
    if not ok:
        ok2, _ = compiles(target, PRELUDE + source, dirs)
        if ok2:
            source, ok = PRELUDE + source, True
    try:
        tr = api.translate((), target, list(dirs), source=source)
        names = _ours_declared(tr, path)
        layouts = api.layout_translation(tr, names)
        err = None
    except AbicheckError as e:
        err = str(e).splitlines()[0]
    except Exception as e:  # noqa: BLE001 - a crash is what we are looking for
        return f"{header}: abicheck crashed: {type(e).__name__}: {e}"
    if not ok:
        if err is None:
            return f"{header}: the compiler fails ({where}) but abicheck does not"
        m = _OUR_ERROR.match(err)
        ours = None if not m else f"<stdin>:{m[2]}" if m[1] == "<headers>" else f"{_real(m[1])}:{m[2]}"
        if ours != where:
            return f"{header}: both fail, but abicheck at {ours or err!r}, the compiler at {where}"
        return None
    if err is not None:
        return f"{header}: compiles, but abicheck says: {err}"
    return compare_layouts(target, header, source, dirs, path, names, layouts)


def _gcc_sizes(target, source: str, dirs: Sequence[str], names: Sequence[str]) -> dict[str, tuple]:
    """{typedef name: (sizeof, _Alignof)} from the ABI's gcc (``-S``, read back
    from inline-asm immediates), or {} when no gcc for the ABI is installed."""
    from oracle import have_gcc
    gcc = ["gcc"] if target.name == "x86_64" else list(target.gcc or ())
    if not (gcc and have_gcc(gcc)):
        return {}
    probe = [source, "void __abicheck_sizes(void) {"]
    probe += [f'__asm__ volatile ("@@ {i} %0 %1" :: "n" ((int)sizeof({n})), '
              f'"n" ((int)_Alignof({n})));' for i, n in enumerate(names)]
    cmd = [*gcc, "-S", "-o", "-", "-w", "-nostdinc"]
    for d in _cc_dirs(dirs):
        cmd += ["-I", d]
    r = subprocess.run([*cmd, "-x", "c", "-"], input="\n".join(probe) + "\n}\n",
                       capture_output=True, text=True)
    if r.returncode != 0:
        return {}
    got = {int(m[1]): (int(m[2]), int(m[3]))
           for m in re.finditer(r"@@ (\d+) [^0-9]*(\d+) [^0-9]*(\d+)", r.stdout)}
    return {n: got[i] for i, n in enumerate(names) if i in got}


def _bare_aligned_right(oracle) -> bool:
    from test_torture import bare_aligned_consistent
    return bare_aligned_consistent(oracle)


def compare_layouts(target, header, source, dirs, path, names, layouts) -> str | None:
    from test_oracle_headers import first_difference
    try:
        oracle = pick_oracle(target)
    except NoOracle as e:
        import pytest
        pytest.skip(f"{target.name}: {e}")
    if oracle.kind == "clang" and not _bare_aligned_right(oracle):
        # libclang's MIPS o32 gives a bare `aligned` 16, gcc 8 (glibc's
        # __pthread_unwind_buf_t has one): there the ABI's gcc judges
        from oracle import Oracle, have_gcc
        if not (target.gcc and have_gcc(target.gcc)):
            return None
        oracle = Oracle("gcc", gcc=tuple(target.gcc))
    try:
        if oracle.kind == "clang":
            declared = _clang_declared(target, source, dirs, path)
        else:
            found = oracle.records(source, [path], include_dirs=_cc_dirs(dirs))
            declared = {n: None for n in found}
    except OracleError as e:
        return f"{header}: the layout oracle fails: {str(e).splitlines()[0][:200]}"
    # GCC's own _FloatN types are no typedefs to GCC (glibc declares them
    # only for compilers without them, as libclang 18 is)
    from abicheck.frontend.gnu import FLOAT_TYPE_NAMES
    declared = {n: v for n, v in declared.items() if n not in FLOAT_TYPE_NAMES}
    ours = {x.name: x for x in layouts}
    wanted = set(declared)
    # libclang lists every type; gcc's DWARF only records and typedefs of them
    have = set(ours) if oracle.kind == "clang" else \
        {n for n, x in ours.items() if x.kind in ("struct", "union")}
    if wanted != have:
        return (f"{header}: types differ: only the oracle has {sorted(wanted - have)[:5]}, "
                f"only abicheck {sorted(have - wanted)[:5]}")
    records = sorted(n for n in wanted if declared[n] is None or declared[n][2])
    if oracle.kind == "clang":
        others = sorted(wanted - set(records))
        # the ABI's own gcc, where installed, sizes typedefs: libclang gets
        # mode(word) wrong on MIPS n32 and float_t wrong without -mno-sse
        sizes = _gcc_sizes(target, source, dirs, others) if others else {}
        for n in others:
            size, align = sizes.get(n) or declared[n][:2]
            if (ours[n].size, ours[n].align) != (size, align):
                return (f"{header}: {n}: size/align abicheck {ours[n].size}/{ours[n].align} "
                        f"!= {'gcc' if n in sizes else 'libclang'} {size}/{align}")
    if not records:
        return None
    try:
        theirs = oracle.layout(source, records, include_dirs=_cc_dirs(dirs))
    except OracleError as e:
        return f"{header}: the layout oracle fails: {str(e).splitlines()[0][:200]}"
    for n in records:
        if ours[n].kind not in ("struct", "union"):
            # GCC's va_list is a compiler type: its members are no header's
            t = theirs[n]
            if (ours[n].size, ours[n].align) != (t["size"], t["align"]):
                return f"{header}: {n}: size/align abicheck {ours[n].size}/{ours[n].align} " \
                       f"!= oracle {t['size']}/{t['align']}"
            continue
        diff = first_difference(ours[n].to_json(), theirs[n])
        if diff:
            return f"{header}: {n}: {diff}"
    return None
