"""One target's cpp run standing in for another target's.

Why: the default ``check`` preprocesses the same headers for 27 targets,
one cc1 process each (a third of a cold run's CPU), and past the echo of
each target's own macros they come out as 9 distinct outputs.  A run's output depends on the target only through the
target's predefined macros; where a finished run never looked up any
macro the two targets define differently, the other target's run would
do exactly the same steps and write the same output, but for the
``-dD`` echo of its own command-line macros.  That output is then written
here from the finished one instead of running cc1 again.

When it is exact.  cpp looks a name up in its macro table only where the
name is an identifier token: in the main text, in a file it entered, in a
macro's body (the built-in ones, the command line's), or made by pasting
(``##``) tokens spelled there.  So a finished run stands in for a target
when no name the two define differently
  - is spelled as a word (a maximal run of ``[A-Za-z0-9_$]``) anywhere in
    those texts, comments and strings included, line splices removed, nor
  - can be spelled by joining two or more such words (a paste; when
    ``__LINE__``, ``__COUNTER__`` or ``__INCLUDE_LEVEL__`` appear, any
    run of digits counts as a word too, since they expand to numbers),
and the run did not read the clock (``__DATE__``, ``__TIME__``,
``__TIMESTAMP__``: a run of its own might see another second), every file
it entered is unchanged since it started (the stat, as the cpp cache
checks it), the request is the same but for the macros (main text,
include directories, limits), and every command-line macro of both
targets is one whose ``-dD`` echo is known (``#define NAME VALUE`` with
VALUE as given: single spaces between tokens, no comment, quote or
backslash; the finished run's own echo must read so, or it stands in for
nobody).  tests/frontend/test_stand_in.py compares what this writes with
cc1's own run on every target, and checks that each condition matters.
"""
from __future__ import annotations

import re
import sys
import threading
from typing import TYPE_CHECKING

from abicheck.frontend.cpp_output import Preprocessed, _split_defines, split_after

if TYPE_CHECKING:
    from abicheck.frontend.preprocess import Request

_WORD = re.compile(r"[A-Za-z0-9_$]+")
_SPLICE = re.compile(r"\\[ \t\f\v]*(?:\r\n|\n|\r)")
_CLOCK = ("__DATE__", "__TIME__", "__TIMESTAMP__")
_NUMBERS = ("__LINE__", "__COUNTER__", "__INCLUDE_LEVEL__")
_NAME = r"[A-Za-z_$][\w$]*(?:\([\w$,]*\))?\Z"
#: a value whose echo is itself: tokens with single spaces, no comment,
#: no character constant, no backslash, strings without one; ``##`` only
#: as `` ## `` (cpp echoes ``a##b`` as ``a ##b``)
_TOKENS = r"""(?:[^\s#"'\\/]|/(?![/*])|"[^"\\\n]*")+"""
_VALUE = rf"(?:{_TOKENS}(?: (?:{_TOKENS}|##))*)?\Z"    # compiled when first used
_LINE = '# 0 "<command-line>"\n'
_MAIN_STARTS = '\n# 1 "<stdin>"\n'


def echo(macros: dict[str, str]) -> str | None:
    """What ``-dD`` writes for these command-line macros (``-DNAME=VALUE``,
    in order), or None when some echo is not known to be its value."""
    parts = []
    for item in macros.items():
        part = _ECHO_LINES.get(item, False)
        if part is False:
            if len(_ECHO_LINES) >= 8192:
                _ECHO_LINES.clear()
            part = _ECHO_LINES[item] = _echo_line(*item)
        if part is None:
            return None
        parts.append(part)
    return "".join(parts) or None


def _echo_line(name: str, value: str) -> str | None:
    """One command-line macro's lines of the echo, or None when not known."""
    if not (name.isidentifier() and name.isascii() or re.match(_NAME, name)) or not _plain(value) and (
            not re.match(_VALUE, value) or " ## ##" in value
            or value.startswith("## ") or value.endswith(" ##")):
        return None
    return f"{_LINE}#define {name} {value}\n"


#: what no value whose echo is itself has, but for single spaces between
#: tokens; ``_plain`` (most target macros) then needs no regex (the regex
#: took 0.9 ms a target)
_SPECIAL = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f#\"'\\/")


def _plain(value: str) -> bool:
    """ASCII tokens with single spaces and none of ``_SPECIAL``: the echo is the value."""
    return value.isascii() and _SPECIAL.isdisjoint(value) and "  " not in value \
        and value[:1] != " " and value[-1:] != " "


#: (name, value) -> its lines of the echo (``_echo_line``): most of a
#: target's macros are some other target's too
_ECHO_LINES: dict[tuple[str, str], str | None] = {}
#: (path, stat) -> the words of the file (``Source.words``): the runs of
#: one request enter the same files
_FILE_WORDS: dict[tuple, frozenset[str]] = {}


def _words(text: str) -> frozenset[str]:
    if "\\" in text:
        text = _SPLICE.sub("", text)
    return frozenset(_WORD.findall(text))


class Source:
    """A finished, successful cpp run, able to stand in for other targets'
    runs of the same request: what it read, as words (read when first asked)."""

    def __init__(self, req: Request, pre: Preprocessed, since: int) -> None:
        self.req = req
        self.raw = pre._raw
        self.entries = pre.entries
        self.since = since
        self.kin = kin_key(req)
        self._read_yet = False
        self._words: frozenset[str] | None = None      # None: stands in for nobody
        self._numbers = False
        self._pasted: dict[str, bool] = {}      # name -> ``_made(name)``
        self._starts: frozenset[str] | None = None
        self._tail: Preprocessed | None = None
        self.head = self._head()

    def _head(self) -> str | None:
        """The built-in macros' part of the output (what precedes the
        command line's), or None when the output does not read as expected."""
        raw = self.raw
        if raw is None:
            return None
        main = raw.find(_MAIN_STARTS)
        mine = echo(self.req.macros)
        cut = raw.find("\n" + _LINE)
        if main < 0 or not mine or cut < 0 or raw[cut + 1:main + 1] != mine:
            return None
        return raw[:cut + 1]

    def words(self) -> frozenset[str] | None:
        """The words of every text cpp read, or None: a file changed since
        the run started, or cannot be read, or the run read the clock."""
        if self._read_yet is False:
            self._read_yet = True
            read = self._read()
            words = frozenset().union(*read) if read is not None else frozenset()
            self._numbers = not words.isdisjoint(_NUMBERS)
            self._words = words if read is not None and words.isdisjoint(_CLOCK) else None
        return self._words

    def _read(self) -> list[frozenset[str]] | None:
        from abicheck.cache.preprocessed import _stat
        values = " ".join(f"{key.partition('(')[2]} {value}" for key, value in self.req.macros.items())
        out = [_words(self.req.text), _words(self.head or ""), _words(values)]
        for path, _ in dict.fromkeys(self.entries):
            st = _stat(path)
            if st is None or max(st[1], st[2]) > self.since:
                return None
            got = _FILE_WORDS.get((path, st))
            if got is None:
                try:
                    with open(path, "rb") as f:
                        got = _words(f.read().decode("latin-1"))
                except OSError:
                    return None
                if len(_FILE_WORDS) >= 4096:
                    _FILE_WORDS.clear()
                _FILE_WORDS[(path, st)] = got
            out.append(got)
        return out

    def stands_for(self, req: Request) -> bool:
        """Would ``req``'s own run write what this one did, but for its
        command-line macros?"""
        if self.head is None or req.use_pcpp or kin_key(req) != self.kin:
            return False
        words = self.words()
        if words is None:
            return False
        # the names the two define differently (a key holds the parameters)
        differ = {key.partition("(")[0] for key, _ in self.req.macros.items() ^ req.macros.items()}
        # spelled as a word (cheap, and most differences are), then by pasting
        return words.isdisjoint(differ) and not any(self._made(name) for name in differ)

    def _made(self, name: str) -> bool:
        """Could pasting tokens spelled as this run's words make ``name``?
        (Can ``name`` be cut into two or more words?)"""
        known = self._pasted.get(name)
        if known is None:
            words = self._words or frozenset()
            if self._starts is None:
                # every beginning of a word: a cut stops at the first piece
                # that begins none
                self._starts = frozenset(w[:k] for w in words for k in range(1, len(w) + 1))
            starts, numbers, n = self._starts, self._numbers, len(name)
            reach = [True] + [False] * n
            for i in range(n):
                if reach[i]:
                    for j in range(i + 1, n + 1 if i else n):   # two pieces at least
                        piece = name[i:j]
                        if numbers and piece.isdigit() and piece.isascii():
                            reach[j] = True
                        elif piece not in starts:
                            break           # nor does any longer piece
                        elif piece in words:
                            reach[j] = True
            known = self._pasted[name] = reach[n]
        return known

    def stand_in(self, req: Request) -> Preprocessed | None:
        """``req``'s output written from this run's, or None: not exact
        (``stands_for``), or past the output bound."""
        if not self.stands_for(req):
            return None
        theirs = echo(req.macros)
        if not theirs:
            return None
        assert self.raw is not None and self.head is not None
        tail_raw = self.raw[self.raw.find(_MAIN_STARTS) + 1:]
        head_raw = self.head + theirs[:-1]
        if len(head_raw.encode("utf-8", "surrogateescape")) + 1 + \
                len(tail_raw.encode("utf-8", "surrogateescape")) > req.lim.cpp_output:
            return None         # its own run is stopped, with the error saying where
        if self._tail is None:
            self._tail = _split_defines(tail_raw, req.text)
        # the tail opens with the main file's line marker: split once, for
        # every target it stands in for
        pre = split_after(_split_defines(head_raw, req.text), tail_raw, req.text, self._tail)
        pre.search_dirs = tuple(req.dirs)
        return pre


def kin_key(req: Request) -> tuple:
    """What two requests must share for one's run to stand in for the
    other's (all but the macros; ``Source.stands_for`` checks it again)."""
    return (req.text, tuple(req.dirs), req.source, req.lim, tuple(req.roots.dirs), req.use_pcpp)


class Kin:
    """The finished runs of requests on several targets: each miss
    (``run``) is written from one of them when one stands in for it, else
    run, and then stands in for the later ones.  Shared by the threads
    running them.

    ``left``: for each kin key more than one of the requests to come has
    (``among``), how many there are; a run of any other key is kept by
    nobody (a tree of one folder per target: no two requests are kin, and
    nothing holds their outputs), and a key's runs are let go once its
    last request is answered.  None: keep every run."""

    def __init__(self, left: dict[tuple, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._sources: dict[tuple, list[Source]] = {}
        self._left = left

    @classmethod
    def among(cls, requests) -> Kin:
        """A Kin for ``requests``, keeping only runs some other one may use."""
        left: dict[tuple, int] = {}
        for r in requests:
            k = kin_key(r)
            left[k] = left.get(k, 0) + 1
        return cls({k: n for k, n in left.items() if n > 1})

    def _answered(self, key: tuple) -> None:
        if self._left is not None:
            with self._lock:
                n = self._left.get(key, 0) - 1
                if n > 0:
                    self._left[key] = n
                else:
                    self._left.pop(key, None)
                    self._sources.pop(key, None)

    def run(self, req: Request) -> Preprocessed:
        """``preprocess.run(req)``'s result, from a finished run or cpp's own."""
        from abicheck.cache import preprocessed as cpp_cache
        pp = sys.modules["abicheck.frontend.preprocess"]      # the module (its name is the function's)
        key = kin_key(req)
        with self._lock:
            keep = not req.use_pcpp and (self._left is None or key in self._left)
            sources = list(self._sources.get(key, ())) if keep else []
        try:
            for s in sources:
                pre = s.stand_in(req)
                if pre is not None:
                    pp._confine(pre, req.roots, req.lim, req.text, req.source)
                    cpp_cache.store(req.key, pre, s.since, pp.confined_as(req))
                    return pre
            since = cpp_cache.started()
            pre = pp.run(req)
            if keep:
                source = Source(req, pre, since)
                with self._lock:
                    if self._left is None or key in self._left:
                        self._sources.setdefault(key, []).append(source)
            return pre
        finally:
            if keep:
                self._answered(key)
