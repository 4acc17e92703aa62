"""cpp's result, cached by what cpp READ rather than what it wrote.

The unit cache (``units``) is keyed by preprocessed text, so cpp had to run
on every warm run to learn the key: one ``gcc -E`` process per header was
most of a warm corpus run.  This cache keys an entry by cpp's INPUTS
instead, as a build system's dependency file does:

- the preprocessor's identity (the real path of the gcc driver, its size
  and mtime: an upgraded compiler is a new key),
- the argument list (the target's predefined macros and ``-D``s in order,
  the include directories in order), the main source text, the bounds that
  decide whether a run succeeds (``cpp-timeout``), and, when the user wrote
  the main file (in-memory source, whose quoted includes start from the
  working directory) or an include directory is relative, the working
  directory.

The entry holds what ``preprocess()`` returns, already split (the blanked
text, the files entered; the ``-dD`` record compressed, unpacked only when
the macros are asked for) and the dependency list: every file cpp entered
with its (size, mtime, ctime, inode, SHA-256).  It is valid while

- every dependency's stat matches, or its content hash still does when the
  stat differs (git's index rule: a cache restored on another machine, or a
  ``touch``, still hits; the entry is then rewritten with the new stat), and
- every *shadow candidate* is still absent: a file that cpp would have found
  before the one it used (the same relative name under an earlier include
  directory, or in the includer's own directory for a quoted include).
  Creating one must change the result, so it invalidates the entry (a
  dangling link or a folder there is absent: cpp passes over it).

A file changed within two seconds of being recorded may change again
without its stat showing it (the clock's granularity): its stat is not
trusted, and its content is hashed on every lookup until it has aged.

Never cached: results whose inputs use ``__has_include``,
``__has_include_next`` (they depend on a file's absence, which the
candidates above do not cover), ``__COUNTER__``, ``__DATE__``,
``__TIME__`` or ``__TIMESTAMP__``; failures (cpp errors, confinement
errors and limits are found again by running cpp); pcpp's runs (it records
no line markers to take the dependencies from).

Confinement (``frontend.confine``) is not part of the entry: the caller
checks the entries of a hit exactly as those of a miss, so a symlink
retargeted out of the include directories is refused either way.

Confinement verdicts: an entry also keeps the verdicts of the checks its
result passed (``verdict``), each the digest of the entry's key, the
dependencies' stats, the roots' real paths and the input-size bound (or
``--allow-include-outside``).  A later hit reuses one only when every
dependency's stat matched exactly, none of them too recent to trust (the
check reads nothing else: the includers' lines and the entered files'
sizes are the dependencies' own content, the real path of each entered
file ends at the same inode, and a root retargeted has other real paths);
anything else checks again.  Same inode, same stat, another real path
is a hard link, the one case the fresh check would tell apart (as
``confine.realpath``'s own shortcut does not): the bytes read are then
those of a file inside the roots.

In-process, validated entries are also kept in memory (``_memo``): a second
lookup in the same process re-validates by stat only and returns the same
``Preprocessed`` object, so the parse caches above it hit by identity.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import time
import zlib
from typing import Iterator, Sequence

from abicheck import cache
from abicheck.cache.cpp_entry import MACROS, decode as _decode, encode as _encode  # noqa: F401
from abicheck.frontend.cpp_output import Preprocessed

KIND = "cpp-2"          # bump when the stored shape changes
_UNCACHEABLE = (b"__has_include", b"__COUNTER__", b"__DATE__", b"__TIME__", b"__TIMESTAMP__")
#: a file changed this recently may change again within the clock's
#: granularity without its stat showing it ("racy git"): its stat is not
#: trusted, its content hash is checked on every hit (``_trusted``)
_RACY_NS = 2_000_000_000

Stat = tuple[int, int, int, int]
#: in-process memo: (cache folder, key) -> (Preprocessed, deps, absent candidates, raw size)
_memo: dict[tuple[str, str], tuple[Preprocessed, tuple, tuple[str, ...], int]] = {}
#: the last hit of each key: (deps, whether their stats all matched and are
#: trusted, the entry's verdicts, what rewriting the entry takes or None)
_seen: dict[str, tuple[tuple, bool, tuple[str, ...], tuple | None]] = {}


def _os_stat(path: str) -> os.stat_result | None:
    if _glance is not None and path in _glance:
        return _glance[path]
    try:
        got: os.stat_result | None = os.stat(path)
    except OSError:
        got = None
    if _glance is not None:
        _glance[path] = got
    return got


def _stat(path: str) -> Stat | None:
    st = _os_stat(path)
    return None if st is None else (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _is_file(path: str) -> bool:
    st = _os_stat(path)
    return st is not None and stat.S_ISREG(st.st_mode)


#: stats taken during one ``glance()``: path -> Stat or None
_glance: dict[str, os.stat_result | None] | None = None


@contextlib.contextmanager
def glance() -> Iterator[None]:
    """Look up many jobs as of one moment: inside, each path is stat'ed
    once.  The corpus's 608 headers of one ABI share linux/types.h and its
    includes, and their candidates: 63,000 stats (0.44 s of a 1.3 s warm
    run) for about 1,500 distinct paths.  A file changed while the lookups
    run is seen as it was when first looked at, as if the lookups had all
    happened then."""
    global _glance
    outer = _glance
    if outer is None:
        _glance = {}
    try:
        yield
    finally:
        _glance = outer


def request_key(cc: str, dirs: Sequence[str], macros: dict[str, str], text: str,
                user_main: bool, cpp_timeout: float) -> str | None:
    """The key of one cpp run, or None when its result is not to be cached
    (the main text or a macro uses a construct listed above)."""
    blob = text.encode("utf-8", "surrogateescape")
    defs = _defines(tuple(macros.items()))
    if defs is None or any(w in blob for w in _UNCACHEABLE):
        return None
    st = _driver(cc)
    if st is None:
        return None
    # relative include directories (and the user's own main file, whose
    # quoted includes start there) name files from the working directory
    here = os.getcwd() if user_main or not all(os.path.isabs(d) for d in dirs) else ""
    parts = ["cpp", *map(str, st), "\0".join(dirs), repr(cpp_timeout), here, str(len(blob))]
    h = hashlib.sha256("\x01".join(parts).encode("utf-8", "surrogateescape"))
    h.update(b"\x01" + defs + b"\x01" + blob)
    return cache.key(KIND, h.hexdigest())


@functools.lru_cache(maxsize=64)
def _defines(items: tuple[tuple[str, str], ...]) -> bytes | None:
    """The macros as key bytes (a target's ~180, the same for every header
    of a run), or None when one uses a construct listed above."""
    defs = "\0".join(f"{k}={v}" for k, v in items).encode("utf-8", "surrogateescape")
    return None if any(w in defs for w in _UNCACHEABLE) else defs


_drivers: dict[str, tuple] = {}


def _driver(cc: str) -> tuple | None:
    """(real path, size, mtime) of the compiler driver, once per process."""
    got = _drivers.get(cc)
    if got is None:
        real = os.path.realpath(cc)
        st = _stat(real)
        if st is None:
            return None
        got = _drivers[cc] = (real, st[0], st[1])
    return got


def lookup(key: str | None, cpp_output: int) -> Preprocessed | None:
    """The stored result of the run ``key`` names, if still valid; None
    otherwise (absent, stale, damaged, bigger than ``cpp_output`` allows:
    cpp then runs and says so itself)."""
    if key is None or not cache.enabled():
        return None
    _seen.pop(key, None)
    mkey = (cache.directory(), key)
    mem = _memo.get(mkey)
    if mem is not None:
        pre, deps, absent, size = mem
        if size <= cpp_output:
            fresh = _valid(deps, absent)
            if fresh is not None:
                old = _verdicts.get(mkey, ((), None))
                _seen[key] = (deps, fresh is deps and _all_trusted(deps), old[0], old[1])
                return pre
        _memo.pop(mkey, None)
    payload = cache.load(KIND, key)
    if payload is None:
        return None
    got = _decode(payload)
    if got is None:
        return None
    pre, deps, absent, size, confined, packed = got
    if size > cpp_output:
        return None
    fresh = _valid(deps, absent)
    if fresh is None:
        return None
    exact = fresh is deps and _all_trusted(deps)
    if fresh is not deps:                       # a stat refreshed: write it back (no verdict holds)
        confined = ()
        cache.store(KIND, key, _encode(pre, fresh, absent, size, packed))
    _remember(mkey, (pre, fresh, absent, size))
    rewrite = (pre, fresh, absent, size, packed)
    _verdicts[mkey] = (confined, rewrite)
    _seen[key] = (fresh, exact, confined, rewrite)
    return pre


#: (cache folder, key) -> (verdicts, rewrite args) of entries read in this process
_verdicts: dict[tuple[str, str], tuple[tuple[str, ...], tuple | None]] = {}


def _all_trusted(deps: tuple) -> bool:
    return all(st != _UNTRUSTED for _, st, _ in deps)


def _verdict(key: str, deps: tuple, roots: tuple[str, ...] | None, input_size: int) -> str:
    h = hashlib.sha256(f"confined\0{key}\0{roots!r}\0{input_size}\0".encode("utf-8", "surrogateescape"))
    h.update(repr(deps).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def confined_before(key: str | None, roots: tuple[str, ...] | None, input_size: int) -> str | bool:
    """True when the entry just hit (``lookup``) passed this very check
    before and nothing it depends on changed; else the verdict to record
    with ``note_confined`` after checking, or False when none can be."""
    seen = _seen.get(key) if key is not None else None
    if seen is None or not seen[1]:
        return False
    v = _verdict(key, seen[0], roots, input_size)
    return True if v in seen[2] else v


def note_confined(key: str, verdict: str) -> None:
    """Keep ``verdict`` (from ``confined_before``) in the entry just hit."""
    mkey = (cache.directory(), key)
    confined, rewrite = _verdicts.get(mkey, ((), None))
    if rewrite is None or verdict in confined or not cache.enabled():
        return
    confined = (*confined[-7:], verdict)
    _verdicts[mkey] = (confined, rewrite)
    pre, deps, absent, size, packed = rewrite
    cache.store(KIND, key, _encode(pre, deps, absent, size, packed, confined))


def _valid(deps: tuple, absent: tuple[str, ...]) -> tuple | None:
    """``deps`` (with refreshed stats where only the stat had changed) when
    every dependency still has its content and every candidate is absent;
    None when the entry is stale."""
    out = None
    for i, (path, st, digest) in enumerate(deps):
        now = _stat(path)
        if now is None:
            return None
        if now == st:
            continue
        try:
            with open(path, "rb") as f:
                if hashlib.sha256(f.read()).digest() != digest:
                    return None
        except OSError:
            return None
        fresh = _trusted(now)
        if fresh != st:
            if out is None:
                out = list(deps)
            out[i] = (path, fresh, digest)
    for path in absent:
        if _is_file(path):
            return None
    return deps if out is None else tuple(out)


_UNTRUSTED = (-1, 0, 0, 0)


def _trusted(st: Stat) -> Stat:
    """``st``, or a stat no file has when the file changed so recently that
    another change within the clock's granularity may not show in it ("racy
    git"): its content is then hashed on every lookup, until it has aged."""
    return st if max(st[1], st[2]) < time.time_ns() - _RACY_NS else _UNTRUSTED


def started() -> int:
    """The time a cpp run starts, to compare with its dependencies' stat
    afterwards.  The fine clock: a file written before it never reads as
    later (its timestamp comes from the kernel's coarse or, since Linux
    6.13, multigrain clock); one written after it does, but for a window
    of one clock tick on kernels with coarse file timestamps."""
    return time.time_ns()


def store(key: str | None, pre: Preprocessed, since: int | None = None,
          confined: tuple[tuple[str, ...] | None, int] | None = None) -> None:
    """Keep a successful run, fresh from cpp (its ``-dD`` record unread)
    that started at ``since`` (``started()``): a dependency changed after
    that may have been read before the change and hashed after it, so such
    a run is not kept.  ``confined``: (roots, input size) of the
    confinement check the result passed, kept as a verdict when every
    dependency's stat can be trusted."""
    raw = pre._raw
    if key is None or not cache.enabled() or raw is None:
        return
    deps = []
    for path, _ in pre.entries:
        st = _stat(path)
        if st is None or (since is not None and max(st[1], st[2]) > since):
            return
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return
        if any(w in data for w in _UNCACHEABLE):
            return
        deps.append((path, _trusted(st), hashlib.sha256(data).digest()))
    absent = _candidates(pre)
    if absent is None:
        return
    size = len(raw.encode("utf-8", "surrogateescape"))
    packed = zlib.compress(raw.encode("utf-8", "surrogateescape"), 1)
    deps_t = tuple(dict.fromkeys(deps))
    verdicts = (_verdict(key, deps_t, *confined),) if confined is not None and _all_trusted(deps_t) else ()
    cache.store(KIND, key, _encode(pre, deps_t, absent, size, packed, verdicts))
    _remember((cache.directory(), key), (pre, deps_t, absent, size))
    _verdicts[(cache.directory(), key)] = (verdicts, (pre, deps_t, absent, size, packed))


def _candidates(pre: Preprocessed) -> tuple[str, ...] | None:
    """The files that would have shadowed a dependency and were absent."""
    dirs = [d.rstrip("/") for d in pre.search_dirs]
    used = {path for path, _ in pre.entries}
    out: dict[str, None] = {}
    for path, at in pre.entries:
        for k, d in enumerate(dirs):
            if not path.startswith(d + "/"):
                continue
            rel = path[len(d) + 1:]
            earlier = [f"{e}/{rel}" for e in dirs[:k]]
            if at.file != "<headers>":
                earlier.append(os.path.join(os.path.dirname(at.file), rel))
            for c in earlier:
                if c not in used and c not in out and not os.path.isfile(c):
                    out[c] = None
    return tuple(out)


_MEMO_MAX = 4096       # a long-lived process (a language server) stays bounded


def _remember(mkey: tuple[str, str], value: tuple) -> None:
    if len(_memo) >= _MEMO_MAX:
        _memo.clear()
        _verdicts.clear()
        _seen.clear()
    _memo[mkey] = value


def clear_memo() -> None:
    _memo.clear()
    _verdicts.clear()
    _seen.clear()
    _drivers.clear()
