"""Parse preprocessed, C23-rewritten text with pycparser into our model.

Most texts are parsed one file-scope declaration at a time, each distinct
one once per process (``chunks``), and built into a ``model.Unit`` by
``builder``; anything unusual is parsed whole, and a text that fails gets
the error GCC would give first (``diagnose``).
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence

from pycparser import c_parser

from abicheck import model as m
from abicheck.frontend import chunks, collector, gnu, replay, segments
from abicheck.frontend.builder import BUILTIN as _BUILTIN, Builder as _Builder, parse_expr  # noqa: F401 (re-exported)
from abicheck.frontend.diagnose import unknown_type_name
from abicheck.frontend.literal import int_literal  # noqa: F401 (re-exported)
from abicheck.errors import ParseError, SourceLoc

_PRELUDE = '# 1 "<built-in>"\n' + "".join(f"typedef int {n};\n" for n in _BUILTIN)
_ERR = re.compile(r"^(.*?):(\d+):(\d+): (.*)$", re.S)


def parse_preprocessed(text: str, dirs: Sequence[str] = (),
                       rewrite: Callable[[str], str] = gnu.rewrite) -> m.Unit:
    """``parse(rewrite(text), dirs=dirs)`` for preprocessed ``text``, each
    stretch of it between line markers rewritten and split once per
    process where it can stand alone (``segments``); ``rewrite``:
    ``gnu.rewrite`` or a memo of it, for a text that cannot."""
    pieces = segments.pieces(text, "<headers>")
    if pieces is None:
        return parse(rewrite(text), dirs=dirs)
    with collector.fewer_collections():
        try:
            return _Builder().build(chunks.parse("", "<headers>", _BUILTIN, dirs, pieces))
        except chunks.Unusual:
            # the same pieces the whole text splits into: not piecewise
            # again, but rewritten whole and parsed whole, as ever
            return _whole(rewrite(text), "<headers>", "")


def parse(text: str, name: str = "<headers>", assume_types: Iterable[str] = (),
          dirs: Sequence[str] = ()) -> m.Unit:
    """Parse C23 ``text`` (output of ``gnu.rewrite``) into a ``model.Unit``.

    assume_types:
        names to take for typedef names although nothing declares them (the
        diagnosis of a failed parse, ``diagnose.first_error``, reads on past
        an unknown type name that way).
    dirs:
        the include folders the text's files were found in: a declaration
        parsed before in the same file of another folder (another tree,
        another ABI's copy of the headers) is not parsed again (``chunks``).
    """
    with collector.fewer_collections():
        return _parse(text, name, assume_types, dirs)


def _parse(text: str, name: str, assume_types: Iterable[str], dirs: Sequence[str]) -> m.Unit:
    assumed = "".join(f"typedef int {n};\n" for n in assume_types)
    try:
        # each distinct declaration parsed once per process (chunks.py); the
        # assumed typedefs stand where the whole text has them, after the
        # prelude's, and are built as it builds them (``typedef int T``)
        piecewise = f'# {len(_BUILTIN) + 1} "<built-in>"\n{assumed}# 1 "{name}"\n{text}' \
            if assumed else text
        return _Builder().build(chunks.parse(piecewise, name, _BUILTIN, dirs))
    except chunks.Unusual:
        return _whole(text, name, assumed)


def _whole(text: str, name: str, assumed: str) -> m.Unit:
    """``text`` parsed whole by pycparser behind the prelude (and the
    ``assumed`` typedef lines), or the error GCC would word."""
    parser = c_parser.CParser(dialect="c23")
    full = f'{_PRELUDE}{assumed}# 1 "{name}"\n{text}'
    try:
        ast = parser.parse(full, name)
    except c_parser.ParseError as e:
        # made in a frame of its own: an error held in a local here would
        # hold its own traceback, and with it every caller's frame, in a
        # cycle (a tree diff's snapshots stayed alive to a full collection)
        raise _diagnosis(str(e), parser, full, name) from None
    finally:
        # its lexer calls back into it (bound methods): a cycle holding
        # every token read, left for the cycle collector, which a run
        # that freezes what it keeps (``collector.growing``) defers
        parser.__dict__.clear()
    return _Builder().build(ast)


def _diagnosis(msg: str, parser, full: str, name: str) -> ParseError:
    """The error of a failed whole-text parse, as GCC words it: pycparser's
    own words are often "Invalid specifier list", and an undeclared type
    name the usual cause, so the first one before where the parser
    stopped is named."""
    err = _parse_error(msg, parser)
    scope = getattr(parser, "_scope_stack", [{}])
    names = {n for n, is_type in scope[0].items() if is_type}
    before = (err.loc.file, err.loc.line) if err.loc and err.loc.line else None
    return unknown_type_name(full, names, name, before) or err


def clear_memo() -> None:
    """Forget the declarations parsed and built in this process (``chunks``,
    ``replay``) and the stretches rewritten (``segments``)."""
    chunks.clear()
    replay.clear()
    segments.clear()


def _parse_error(msg: str, parser=None) -> ParseError:
    mt = _ERR.match(msg)
    if not mt and parser is not None:
        # pycparser names only the file for some errors: take the token it
        # stood on (or the last one, at the end of the input)
        ts = parser._tokens
        toks = [x for x in ts._buffer if x is not None]
        cur = ts._buffer[ts._index] if ts._index < len(ts._buffer) else None
        tok = cur or (toks[-1] if toks else None)
        text = msg.split(": ", 1)[-1].strip()
        if text == "At end of input":
            text = "unexpected end of input"
        elif text == "Invalid specifier list" and cur is not None and cur.type == "ID":
            text = f"unknown type name '{cur.value}'"
        if tok is not None and tok.filename:
            return ParseError(text, SourceLoc(tok.filename, tok.lineno, tok.column))
    if mt:
        text = mt.group(4).strip().splitlines()[0]
        if text.startswith("before:"):
            text = f"syntax error before '{text[7:].strip()}'"
        return ParseError(text,
                          SourceLoc(mt.group(1), int(mt.group(2)), int(mt.group(3))))
    return ParseError(msg.splitlines()[0] if msg else "parse error")
