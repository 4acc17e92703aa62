"""Hermetic preprocessing of headers for one target.

The host compiler must not leak into a cross-ABI layout: ``gcc -E -undef
-nostdinc`` drops every host macro and include directory, then the target's
own predefined macros (from the ABI table) and only the user's ``-I``
directories go back in.  ``-dD`` makes cpp echo each ``#define`` where it
happens, which gives us the macro table with file:line for free; those lines
are blanked before parsing so pycparser's coordinates stay right.

Where no ``cpp`` exists, pcpp (a pure-Python C99 preprocessor) does the same
job, more slowly.  ``ABICHECK_CPP=pcpp`` forces it.

Hostile input is bounded (``abicheck.limits``): cpp runs as a bounded
child process (``cpp_process``: an argument list, a scrubbed environment,
killed past ``cpp-timeout`` seconds or ``cpp-output`` bytes of output), and
every file it entered must lie under the include roots (``confine.py``).  Its output is decoded as the compiler reads source: bytes,
so a Latin-1 comment or string changes nothing; bytes that are not UTF-8
survive as surrogate escapes and print as ``\\xNN`` in errors.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Sequence

from abicheck import limits
from abicheck.errors import LimitError, PreprocessError, SourceLoc, UsageError
from abicheck.frontend import confine
from abicheck.frontend.cpp_output import (  # noqa: F401 (MacroDef, Preprocessed: re-exported)
    MAIN, MacroDef, Preprocessed, _split_defines)
from abicheck.frontend.cpp_process import (  # noqa: F401 (re-exported: batch, translate_all)
    WALL_FACTOR, Cancelled, _cancel, _cpp_env, _exited, _kill, _last_marker, run_bounded)
from abicheck.targets import Target

_GCC_DIAG = re.compile(r"^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$")


@functools.cache
def bundled_include_dir() -> str:
    """Our own freestanding headers (stddef.h, stdarg.h, ...), written for
    ``-nostdinc`` runs: libc headers include them and the compiler that
    normally provides them is the host's, not the target's."""
    from abicheck import package
    return package.path("include")


@functools.cache
def system_include_dirs() -> tuple[str, ...]:
    """The host compiler's standard include directories (``--system``)."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise UsageError("--system needs a host C compiler (gcc or cc) to find its include directories")
    res = subprocess.run([cc, "-xc", "-E", "-v", "-"], input="", capture_output=True, text=True,
                         env=_cpp_env(), timeout=limits.active().cpp_timeout)
    dirs, on = [], False
    for line in res.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            on = True
        elif line.startswith("End of search list"):
            break
        elif on:
            dirs.append(line.strip())
    return tuple(dirs)


def main_source(headers: Sequence[str], extra: str = "") -> str:
    """The synthetic main file: one ``#include`` per header argument.

    A header that names an existing file is included by absolute path; any
    other name is an include name resolved through ``-I`` (``asm/siginfo.h``).
    """
    lines = []
    for h in headers:
        if os.path.isfile(h):
            path = os.path.abspath(h).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'#include "{path}"')
        else:
            lines.append(f"#include <{h}>")
    return "\n".join(lines) + "\n" + extra


@dataclass
class Request:
    """One cpp run, its inputs checked (``prepare``): what ``cached`` looks
    up and ``run`` runs."""

    text: str                       # the main file fed to cpp
    dirs: list[str]                 # include directories, in search order
    macros: dict[str, str]          # the target's predefines, then -D
    roots: confine.Roots
    lim: limits.Limits
    source: str | None              # the user's own main text, if any
    use_pcpp: bool
    key: str | None = None          # the cpp cache's key (``cached`` sets it)


def prepare(headers: Sequence[str], target: Target, include_dirs: Sequence[str] = (),
            defines: Sequence[str] = (), system: bool = False,
            source: str | None = None, extra: str = "", roots: Sequence[str] = ()) -> Request:
    """Check the inputs of a run (the errors ``preprocess`` raises before cpp)."""
    lim = limits.active()
    for d in include_dirs:
        if not os.path.isdir(d):
            raise UsageError(f"include directory '{d}' does not exist")
    _check_inputs(headers, source, lim)
    dirs = list(include_dirs)
    if system:
        dirs += system_include_dirs()
    dirs.append(bundled_include_dir())
    text = source + "\n" + extra if source is not None else main_source(headers, extra)
    macros = command_macros(target, defines)
    use_pcpp = os.environ.get("ABICHECK_CPP") == "pcpp" or not _gcc()
    roots_ = confine.Roots([*dirs, *confine.header_roots(headers), *roots])
    return Request(text, dirs, macros, roots_, lim, source, use_pcpp)


def cached(req: Request) -> Preprocessed | None:
    """The cpp cache's result for ``req`` (``abicheck.cache.preprocessed``),
    confined exactly as a fresh run is (links may have moved since), or
    None: cpp must run.  Raises what confinement raises."""
    from abicheck import cache
    if req.use_pcpp or not cache.enabled():
        return None         # no key either: it hashes abicheck's sources (~170 files)
    from abicheck.cache import preprocessed as cpp_cache
    req.key = cpp_cache.request_key(_gcc(), req.dirs, req.macros, req.text, req.source is not None,
                                    req.lim.cpp_timeout)
    hit = cpp_cache.lookup(req.key, req.lim.cpp_output)
    if hit is not None:
        # the verdict of the same check on the same files is kept in the
        # entry (see ``cache.preprocessed``): 0.16 s of a 0.5 s warm corpus run
        known = cpp_cache.confined_before(req.key, *confined_as(req))
        if known is not True:
            _confine(hit, req.roots, req.lim, req.text, req.source)
            if known:
                cpp_cache.note_confined(req.key, known)
    return hit


def confined_as(req: Request) -> tuple[tuple[str, ...] | None, int]:
    """What a confinement check of ``req``'s result depends on besides the
    files entered (``cache.preprocessed`` keeps verdicts under it): the
    roots' real paths (None: ``--allow-include-outside``) and the size bound;
    whether the user wrote the main file, and its text, are in the key."""
    return (None if req.lim.allow_include_outside else req.roots.dirs), req.lim.input_size


def run(req: Request) -> Preprocessed:
    """Run cpp (or pcpp) on ``req``; a success is kept in the cpp cache."""
    text, dirs, macros, roots, lim, source = req.text, req.dirs, req.macros, req.roots, req.lim, req.source
    if req.use_pcpp:
        from abicheck.frontend.pure_cpp import run_pcpp
        pre = run_pcpp(text, dirs, macros, roots, lim, source is not None)
        pre.search_dirs = tuple(dirs)
        return pre
    from abicheck.cache import preprocessed as cpp_cache
    since = cpp_cache.started()
    code, pre, stderr = _run_gcc(text, dirs, macros, lim)
    # confinement first: a file outside the roots is refused whether or not
    # cpp could make sense of it (its own complaint would quote it)
    _confine(pre, roots, lim, text, source)
    if code != 0:
        err = _gcc_error(stderr, dirs, source is not None)
        err.partial = pre.text or None      # GCC may have met a syntax error first
        raise err
    pre.search_dirs = tuple(dirs)
    cpp_cache.store(req.key, pre, since, confined_as(req))
    return pre


def preprocess(headers: Sequence[str], target: Target, include_dirs: Sequence[str] = (),
               defines: Sequence[str] = (), system: bool = False,
               source: str | None = None, extra: str = "",
               roots: Sequence[str] = ()) -> Preprocessed:
    """Preprocess ``headers`` (or the C text ``source``) for ``target``.
    ``roots`` are folders files may be read from besides the include
    directories (see ``confine``): the tree a user named, whose folders may
    link to each other."""
    req = prepare(headers, target, include_dirs, defines, system, source, extra, roots)
    hit = cached(req)
    return hit if hit is not None else run(req)


def _confine(pre: Preprocessed, roots: confine.Roots, lim: limits.Limits, text: str,
             source: str | None) -> None:
    confine.check_entries(pre.entries, None if lim.allow_include_outside else roots, lim.input_size,
                          text.split("\n") if source is not None else None, MAIN)


def _check_inputs(headers: Sequence[str], source: str | None, lim: limits.Limits) -> None:
    """Named header files must be readable regular files within the size limit."""
    if source is not None and len(source) > lim.input_size:
        raise LimitError(f"the source text is {len(source)} bytes, more than the input limit of "
                         f"{lim.input_size}; raise it with --limit input-size=SIZE")
    for h in headers:
        if "\n" in h or "\r" in h:
            raise UsageError(f"cannot include header '{h}': its name has a line break")
        if not os.path.exists(h):
            if os.path.isabs(h) or h.startswith("."):
                raise UsageError(f"cannot read header '{h}': No such file or directory")
            continue                    # an include name, resolved through -I
        if os.path.isdir(h):
            raise UsageError(f"'{h}' is a directory, not a header file")
        if not os.access(h, os.R_OK):
            raise UsageError(f"cannot read header '{h}': Permission denied")
        size = os.path.getsize(h)
        if size > lim.input_size:
            raise LimitError(f"'{h}' is {size} bytes, more than the input limit of {lim.input_size}; "
                             "raise it with --limit input-size=SIZE")


@functools.cache
def _gcc() -> str | None:
    return shutil.which("gcc") or shutil.which("cpp")


def command_macros(target: Target, defines: Sequence[str]) -> dict[str, str]:
    """The macros cpp starts from: the target's predefined ones, then the
    user's ``-D NAME[=VALUE]`` (a one-header run and a batch alike)."""
    macros = dict(target.macros)
    for d in defines:
        name, _, value = d.partition("=")
        if not re.match(r"^[A-Za-z_]\w*(\([^)]*\))?$", name) or "\n" in value or "\r" in value:
            raise UsageError(f"bad -D argument '{d}'")
        macros[name] = value if _ else "1"
    return macros


def gcc_args(dirs: Sequence[str], macros: dict[str, str]) -> list[str]:
    """cpp's command line (stdin in, stdout out), a one-header run and a
    batch alike: cc1's own where the driver says what it is (``cc1``)."""
    from abicheck.frontend import cc1
    return cc1.command(_gcc(), dirs, macros)


def _run_gcc(text: str, dirs: list[str], macros: dict[str, str],
             lim: limits.Limits) -> tuple[int, Preprocessed, str]:
    """(exit status, what cpp wrote, its diagnostics): even a failed run's
    output shows which files cpp entered."""
    assert _gcc()
    code, out, err = run_bounded(gcc_args(dirs, macros), text.encode("utf-8", "surrogateescape"), lim)
    stderr = err.decode("utf-8", "surrogateescape")
    try:
        pre = _split_defines(out.decode("utf-8", "surrogateescape"), text)
    except PreprocessError:
        if code == 0:
            raise
        pre = Preprocessed("", (), text)
    return code, pre, stderr


def _gcc_error(stderr: str, dirs: list[str], user_main: bool = False) -> PreprocessError:
    """The first error cpp printed, as our one-line error.  A place in the
    synthetic main file (abicheck wrote it, ``user_main`` False) is no
    place the user could look up: such errors carry none."""
    for line in stderr.splitlines():
        m = _GCC_DIAG.match(line)
        if not m:
            continue
        file, ln, col, msg = m.groups()
        if file == "<stdin>":
            inc = re.match(r"(.*): No such file or directory", msg)
            if inc:
                searched = ", ".join(dirs[:-1]) or "no -I directories given"
                return PreprocessError(f"cannot find header '{inc.group(1)}' (searched: {searched})")
            if not user_main:
                return PreprocessError(msg)
            file = MAIN
        return PreprocessError(msg, SourceLoc(file, int(ln), int(col)))
    first = stderr.strip().splitlines()[:1]
    return PreprocessError(first[0] if first else "the preprocessor failed")


