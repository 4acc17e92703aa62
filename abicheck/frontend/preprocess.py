"""Hermetic preprocessing of headers for one target.

The host compiler must not leak into a cross-ABI layout: ``gcc -E -undef
-nostdinc`` drops every host macro and include directory, then the target's
own predefined macros (from the ABI table) and only the user's ``-I``
directories go back in.  ``-dD`` makes cpp echo each ``#define`` where it
happens, which gives us the macro table with file:line for free; those lines
are blanked before parsing so pycparser's coordinates stay right.

Where no ``cpp`` exists, pcpp (a pure-Python C99 preprocessor) does the same
job, more slowly.  ``ABICHECK_CPP=pcpp`` forces it.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

from abicheck.errors import PreprocessError, SourceLoc, UsageError
from abicheck.targets import Target

MAIN = "<headers>"
_MARKER = re.compile(r'^#\s*(?:line\s+)?(\d+)\s+"((?:\\.|[^"\\])*)"')
_DEFINE = re.compile(r"^#define\s+([A-Za-z_]\w*)(\(([^)]*)\))?[ \t]?(.*)$")
_UNDEF = re.compile(r"^#undef\s+([A-Za-z_]\w*)")
_GCC_DIAG = re.compile(r"^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$")


@dataclass(frozen=True, slots=True)
class MacroDef:
    """One ``#define`` as it stands at the end of the translation unit."""

    name: str
    params: tuple[str, ...] | None     # None for object-like macros
    body: str
    loc: SourceLoc


@dataclass(frozen=True, slots=True)
class Preprocessed:
    """cpp output ready for parsing, and the macros that were defined."""

    text: str
    macros: tuple[MacroDef, ...]
    main_source: str                  # the synthetic main file we fed cpp


def bundled_include_dir() -> str:
    """Our own freestanding headers (stddef.h, stdarg.h, ...), written for
    ``-nostdinc`` runs: libc headers include them and the compiler that
    normally provides them is the host's, not the target's."""
    return str(resources.files("abicheck").joinpath("include"))


@functools.cache
def system_include_dirs() -> tuple[str, ...]:
    """The host compiler's standard include directories (``--system``)."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise UsageError("--system needs a host C compiler (gcc or cc) to find its include directories")
    res = subprocess.run([cc, "-xc", "-E", "-v", "-"], input="", capture_output=True, text=True)
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


def preprocess(headers: Sequence[str], target: Target, include_dirs: Sequence[str] = (),
               defines: Sequence[str] = (), system: bool = False,
               source: str | None = None, extra: str = "") -> Preprocessed:
    """Preprocess ``headers`` (or the C text ``source``) for ``target``."""
    for d in include_dirs:
        if not os.path.isdir(d):
            raise UsageError(f"include directory '{d}' does not exist")
    dirs = list(include_dirs)
    if system:
        dirs += system_include_dirs()
    dirs.append(bundled_include_dir())
    text = source + "\n" + extra if source is not None else main_source(headers, extra)
    macros = dict(target.macros)
    for d in defines:
        name, _, value = d.partition("=")
        if not re.match(r"^[A-Za-z_]\w*(\([^)]*\))?$", name):
            raise UsageError(f"bad -D argument '{d}'")
        macros[name] = value if _ else "1"
    use_pcpp = os.environ.get("ABICHECK_CPP") == "pcpp" or not _gcc()
    run = _run_pcpp if use_pcpp else _run_gcc
    return run(text, dirs, macros)


@functools.cache
def _gcc() -> str | None:
    return shutil.which("gcc") or shutil.which("cpp")


def _run_gcc(text: str, dirs: list[str], macros: dict[str, str]) -> Preprocessed:
    cc = _gcc()
    assert cc
    args = [cc, "-E", "-undef", "-nostdinc", "-dD", "-std=gnu11", "-x", "c"]
    for name, value in macros.items():
        args.append(f"-D{name}={value}")
    for d in dirs:
        args += ["-I", d]
    args.append("-")
    res = subprocess.run(args, input=text, capture_output=True, text=True)
    if res.returncode != 0:
        err = _gcc_error(res.stderr, dirs)
        if res.stdout:
            try:
                err.partial = _split_defines(res.stdout, text).text
            except PreprocessError:
                pass
        raise err
    return _split_defines(res.stdout, text)


def _gcc_error(stderr: str, dirs: list[str]) -> PreprocessError:
    """The first error cpp printed, as our one-line error."""
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
            file = MAIN
        return PreprocessError(msg, SourceLoc(file, int(ln), int(col)))
    first = stderr.strip().splitlines()[:1]
    return PreprocessError(first[0] if first else "the preprocessor failed")


def _split_defines(output: str, main: str) -> Preprocessed:
    """Pull ``#define``/``#undef`` lines out of ``-dD`` output, tracking where
    each came from, and blank them so line numbers stay right."""
    macros: dict[str, MacroDef] = {}
    lines = output.split("\n")
    file, line = "<built-in>", 0
    for i, text in enumerate(lines):
        if text.startswith("#"):
            m = _MARKER.match(text)
            if m:
                file, line = _unescape(m.group(2)), int(m.group(1))
                if file == "<stdin>":
                    file = MAIN
                    lines[i] = f'# {m.group(1)} "{MAIN}"'
                continue
            d = _DEFINE.match(text)
            if d:
                params = None
                if d.group(2) is not None:
                    params = tuple(p.strip() for p in d.group(3).split(",") if p.strip())
                macros.pop(d.group(1), None)
                macros[d.group(1)] = MacroDef(d.group(1), params, d.group(4).strip(),
                                              SourceLoc(file, line, 1))
                lines[i] = ""
            else:
                u = _UNDEF.match(text)
                if u:
                    macros.pop(u.group(1), None)
                    lines[i] = ""
                elif text.startswith("#pragma") and not re.match(r"#pragma\s+pack\b", text):
                    lines[i] = ""       # the parser sees only #pragma pack (layout)
        line += 1
    return Preprocessed("\n".join(lines), tuple(macros.values()), main)


def _unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\\\", "\\")


def _run_pcpp(text: str, dirs: list[str], macros: dict[str, str]) -> Preprocessed:
    """The pure-Python path: pcpp with the same hermetic set-up."""
    import io

    from pcpp import Preprocessor

    class _Quiet(Preprocessor):
        errors: list[str]

        def on_error(self, file, line, msg):  # noqa: ANN001 - pcpp's hook
            self.errors.append(PreprocessError(msg, SourceLoc(MAIN if file == "<stdin>" else file, line or 0, 1)))

        def on_include_not_found(self, is_malformed, is_system_include, curdir, includepath):
            raise PreprocessError(f"cannot find header '{includepath}' (searched: {', '.join(dirs[:-1]) or 'no -I directories given'})")

        def on_comment(self, tok):
            return False

    pp = _Quiet()
    pp.errors = []
    pp.line_directive = "#"
    for name in ("__STDC__", "__STDC_HOSTED__"):
        pp.define(f"{name} 1")
    pp.define("__STDC_VERSION__ 201112L")
    for name, value in macros.items():
        pp.define(f"{name} {value}")
    for d in dirs:
        pp.add_path(d)
    pp.parse(text, "<stdin>")
    out = io.StringIO()
    pp.write(out)
    if pp.errors:
        raise pp.errors[0]
    defs = []
    for name, m in pp.macros.items():
        params = tuple(m.arglist) if m.arglist is not None else None
        body = "".join(t.value for t in m.value).strip()
        src = m.source or "<built-in>"
        defs.append(MacroDef(name, params, body, SourceLoc(MAIN if src == "<stdin>" else src, m.lineno or 0, 1)))
    pre = _split_defines(out.getvalue(), text)
    return Preprocessed(pre.text, tuple(defs), text)
