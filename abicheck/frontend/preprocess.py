"""Hermetic preprocessing of headers for one target.

The host compiler must not leak into a cross-ABI layout: ``gcc -E -undef
-nostdinc`` drops every host macro and include directory, then the target's
own predefined macros (from the ABI table) and only the user's ``-I``
directories go back in.  ``-dD`` makes cpp echo each ``#define`` where it
happens, which gives us the macro table with file:line for free; those lines
are blanked before parsing so pycparser's coordinates stay right.

Where no ``cpp`` exists, pcpp (a pure-Python C99 preprocessor) does the same
job, more slowly.  ``ABICHECK_CPP=pcpp`` forces it.

Hostile input is bounded here (``abicheck.limits``): cpp runs with an
argument list, a scrubbed environment (``CPATH``, ``DEPENDENCIES_OUTPUT``
and friends would add include directories or write files) and the C
locale; it is killed past ``cpp-timeout`` seconds or ``cpp-output`` bytes of
output, and every file it entered must lie under the include roots
(``confine.py``).  Its output is decoded as the compiler reads source: bytes,
so a Latin-1 comment or string changes nothing; bytes that are not UTF-8
survive as surrogate escapes and print as ``\\xNN`` in errors.
"""
from __future__ import annotations

import functools
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from importlib import resources
from typing import Sequence

from abicheck import limits
from abicheck.errors import LimitError, PreprocessError, SourceLoc, UsageError
from abicheck.frontend import confine
from abicheck.frontend.cpp_output import (  # noqa: F401 (MacroDef, Preprocessed: re-exported)
    MAIN, MacroDef, Preprocessed, _split_defines, _unescape)
from abicheck.targets import Target

_GCC_DIAG = re.compile(r"^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$")


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


def preprocess(headers: Sequence[str], target: Target, include_dirs: Sequence[str] = (),
               defines: Sequence[str] = (), system: bool = False,
               source: str | None = None, extra: str = "",
               roots: Sequence[str] = ()) -> Preprocessed:
    """Preprocess ``headers`` (or the C text ``source``) for ``target``.
    ``roots`` are folders files may be read from besides the include
    directories (see ``confine``): the tree a user named, whose folders may
    link to each other."""
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
    macros = dict(target.macros)
    for d in defines:
        name, _, value = d.partition("=")
        if not re.match(r"^[A-Za-z_]\w*(\([^)]*\))?$", name) or "\n" in value or "\r" in value:
            raise UsageError(f"bad -D argument '{d}'")
        macros[name] = value if _ else "1"
    use_pcpp = os.environ.get("ABICHECK_CPP") == "pcpp" or not _gcc()
    roots = confine.Roots([*dirs, *confine.header_roots(headers), *roots])
    if use_pcpp:
        from abicheck.frontend.pure_cpp import run_pcpp
        pre = run_pcpp(text, dirs, macros, roots, lim, source is not None)
        pre.search_dirs = tuple(dirs)
        return pre
    code, pre, stderr = _run_gcc(text, dirs, macros, lim)
    # confinement first: a file outside the roots is refused whether or not
    # cpp could make sense of it (its own complaint would quote it)
    confine.check_entries(pre.entries, None if lim.allow_include_outside else roots, lim.input_size,
                          text.split("\n") if source is not None else None, MAIN)
    if code != 0:
        err = _gcc_error(stderr, dirs, source is not None)
        err.partial = pre.text or None      # GCC may have met a syntax error first
        raise err
    pre.search_dirs = tuple(dirs)
    return pre


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


def _cpp_env() -> dict[str, str]:
    """The environment cpp runs in: a search path and the C locale, nothing
    else (CPATH, C_INCLUDE_PATH, GCC_EXEC_PREFIX, DEPENDENCIES_OUTPUT,
    SUNPRO_DEPENDENCIES, LANG would change what it reads, writes or says)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


@functools.cache
def _gcc() -> str | None:
    return shutil.which("gcc") or shutil.which("cpp")


def _run_gcc(text: str, dirs: list[str], macros: dict[str, str],
             lim: limits.Limits) -> tuple[int, Preprocessed, str]:
    """(exit status, what cpp wrote, its diagnostics): even a failed run's
    output shows which files cpp entered."""
    cc = _gcc()
    assert cc
    args = [cc, "-E", "-undef", "-nostdinc", "-dD", "-std=gnu11", "-x", "c"]
    for name, value in macros.items():
        args.append(f"-D{name}={value}")
    for d in dirs:
        args += ["-I", d]
    args.append("-")
    code, out, err = run_bounded(args, text.encode("utf-8", "surrogateescape"), lim)
    stderr = err.decode("utf-8", "surrogateescape")
    try:
        pre = _split_defines(out.decode("utf-8", "surrogateescape"), text)
    except PreprocessError:
        if code == 0:
            raise
        pre = Preprocessed("", (), text)
    return code, pre, stderr


def run_bounded(args: list[str], stdin: bytes, lim: limits.Limits) -> tuple[int, bytes, bytes]:
    """Run ``args`` (never through a shell) feeding ``stdin``; return (exit
    status, stdout, stderr).  Killed, with a ``LimitError`` located at the
    last line marker it wrote, past ``lim.cpp_timeout`` seconds or
    ``lim.cpp_output`` bytes of output.  Output goes to unlinked temporary
    files, so a runaway expansion costs disk, never our memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            # its own session: killing it must kill cc1 too, which gcc's
            # driver leaves running (writing a bomb's output) when killed alone
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out, stderr=err,
                                    env=_cpp_env(), close_fds=True, start_new_session=True)
        except OSError as e:
            raise UsageError(f"cannot run the preprocessor '{args[0]}': {e.strerror}") from None
        # cpp-timeout counts cpp's CPU time, so a loaded CI machine does not
        # fail a run that merely waited; a run that neither works nor ends
        # (a FIFO it reads from) is stopped at WALL_FACTOR times the bound
        started = time.monotonic()
        deadline = started + WALL_FACTOR * lim.cpp_timeout
        try:
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except BrokenPipeError:
                pass
            why = None
            stop = getattr(_cancel, "event", None)
            while True:
                if _exited(proc, 0.2):
                    break
                if stop is not None and stop.is_set():
                    raise Cancelled()
                if os.fstat(out.fileno()).st_size > lim.cpp_output:
                    why = (f"the preprocessed text exceeds {lim.cpp_output} bytes (a macro expands "
                           "too far?); raise the bound with --limit cpp-output=SIZE")
                elif time.monotonic() >= deadline or (time.monotonic() > started + 1.0
                                                       and _cpu_seconds(proc.pid) > lim.cpp_timeout):
                    why = (f"preprocessing took longer than {lim.cpp_timeout:g} s (a macro expands "
                           "too far?); raise the bound with --limit cpp-timeout=SECONDS")
                if why:
                    _kill(proc)
                    raise LimitError(why, _last_marker(out))
        finally:
            if proc.poll() is None:         # an exception of ours: never leave cpp behind
                _kill(proc)
        if os.fstat(out.fileno()).st_size > lim.cpp_output:
            raise LimitError(f"the preprocessed text exceeds {lim.cpp_output} bytes (a macro expands "
                             "too far?); raise the bound with --limit cpp-output=SIZE", _last_marker(out))
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read()


WALL_FACTOR = 4


def _exited(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``proc`` to end; True when it has.

    Woken the moment it ends (a pidfd, Linux 5.3+): ``Popen.wait(timeout)``
    polls with growing sleeps, which made a 7 ms cpp run cost 15 ms.
    Elsewhere, that polling wait."""
    fd = _pidfd(proc.pid)
    if fd is not None:
        try:
            select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
        return proc.poll() is not None
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill(proc: subprocess.Popen) -> None:
    """Kill cpp and everything it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a running process and its
    children (gcc's driver runs cc1), from /proc; 0 where /proc cannot tell
    (then only the wall-clock bound applies).  Scans /proc, so it is only
    asked once a run has lasted a second."""
    def stat(p: str) -> list[bytes] | None:
        try:
            with open(f"/proc/{p}/stat", "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None

    try:
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            fields = stat(p)
            if fields and (int(p) == pid or int(fields[1]) == pid):
                total += int(fields[11]) + int(fields[12])
        return total / tick
    except (OSError, ValueError):
        return 0.0


class Cancelled(Exception):
    """Another target's run already failed (``translate_all``): stop this one."""


#: ``translate_all`` sets ``_cancel.event`` in its worker threads; when it is
#: set, runs still going are killed rather than waited for
_cancel = threading.local()


def _last_marker(f) -> SourceLoc | None:
    """Where cpp was when it was stopped: the last line marker in its
    output, plus the lines after it (read backwards, 1 MiB at a time)."""
    end = os.fstat(f.fileno()).st_size
    newlines = 0
    while end > 0:
        start = max(0, end - (1 << 20))
        f.seek(start)
        raw = f.read(end - start)
        if start > 0:                  # begin at a whole line
            cut = raw.find(b"\n")
            if cut < 0:
                end = start
                continue
            raw, start = raw[cut + 1:], start + cut + 1
        chunk = raw.decode("utf-8", "surrogateescape")
        for m in reversed(list(re.finditer(r'^# (\d+) "((?:\\.|[^"\\])*)"', chunk, re.M))):
            name = _unescape(m.group(2))
            if name.startswith("<") and name != "<stdin>":
                continue
            line = int(m.group(1)) + chunk.count("\n", m.end()) + newlines - 1
            return SourceLoc(MAIN if name == "<stdin>" else name, max(line, 1), 1)
        newlines += chunk.count("\n")
        end = start
    return None


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


