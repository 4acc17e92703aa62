"""Say what is wrong with text the parser rejected, the way GCC would.

Two jobs: name an unknown type name as GCC does (``unknown_type_name``),
and, when a text fails, find the error GCC would report first
(``first_error``).

pycparser stops at the first token it cannot fit and often says no more than
"Invalid specifier list", sometimes without a line.  The commonest cause in
real headers is a type name nobody declared (``stack_t`` in
``asm-generic/ucontext.h`` without ``<signal.h>``, ``size_t`` without
``<stddef.h>``): to a C parser ``stack_t uc_stack;`` is two identifiers in a
row.  GCC calls that "unknown type name 'stack_t'" at the first identifier,
and so do we: the text is lexed again with the typedef names the parser had
declared when it stopped, and the first identifier that stands where a
declaration starts and is followed by a declarator is the culprit.
"""
from __future__ import annotations

import functools
import re

from pycparser import c_lexer

from abicheck.errors import AbicheckError, ParseError, SourceLoc, detached

#: Tokens after which a declaration (or a parameter) may start.
_STARTS = {"SEMI", "LBRACE", "RBRACE", "LPAREN", "COMMA", "EXTERN", "STATIC", "CONST",
           "VOLATILE", "TYPEDEF", "INLINE", "REGISTER", "AUTO", "RESTRICT", "ATTRIBUTE_END",
           "_THREAD_LOCAL", "THREAD_LOCAL", "_ATOMIC", "CONSTEXPR"}


def unknown_type_name(text: str, typedef_names: set[str], name: str,
                      before: tuple[str, int] | None = None) -> ParseError | None:
    """The first "unknown type name" in ``text``, or None.

    before:
        (file, line) where the parser stopped, when it said; a culprit must
        not come after it (in the same file).
    """
    found = unknown_type_names(text, typedef_names, name, before, first_only=True)
    return found[0] if found else None


def unknown_type_names(text: str, typedef_names: set[str], name: str,
                       before: tuple[str, int] | None = None,
                       first_only: bool = False) -> list[ParseError]:
    """Every identifier in ``text`` that stands where a declaration starts,
    is followed by a declarator and names no type: GCC's "unknown type name"."""
    lex = c_lexer.CLexer(lambda msg, line, col: None, dialect="c23")
    lex.input(text, name)
    out: list[ParseError] = []
    prev2: c_lexer.Token | None = None
    prev: c_lexer.Token | None = None
    parens = 0                      # a comma starts a declaration only in a parameter list
    while True:
        try:
            tok = lex.token()
        except Exception:           # noqa: BLE001 - a lexing problem: stop looking
            return out
        if tok is None:
            return out
        if before and tok.filename == before[0] and tok.lineno > before[1]:
            return out
        parens += {"LPAREN": 1, "RPAREN": -1}.get(tok.type, 0)
        starts = prev2 is None or (prev2.type in _STARTS and (prev2.type != "COMMA" or parens > 0))
        if prev is not None and prev.type == "ID" and prev.value not in typedef_names and starts:
            declarator = tok.type == "ID" or (tok.type == "TIMES" and prev2 is not None
                                              and prev2.type in ("SEMI", "LBRACE", "RBRACE"))
            if declarator:
                out.append(ParseError(f"unknown type name '{prev.value}'",
                                      SourceLoc(prev.filename, prev.lineno, prev.column)))
                if first_only:
                    return out
        prev2, prev = prev, tok


def tu_order(text: str) -> dict[tuple[str, int], int]:
    """(file, line) -> where that line first appears in the translation unit.

    Errors from different stages (parser, evaluation) are compared in this
    order, which is the order GCC meets them in.  The line markers are
    found by one scan of the text; the lines between two are numbered in
    a run (a regular expression per line was most of a failed header's
    diagnosis)."""
    order: dict[tuple[str, int], int] = {}
    file, line = "", 0
    i = 0                   # index of the line starting at ``pos``
    pos = 0

    def plain(n: int) -> None:
        for k in range(n):
            order.setdefault((file, line + k), i + k)
    for m in _MARKER_LINE.finditer(text):
        n = text.count("\n", pos, m.start())
        plain(n)
        i += n
        file, line = m.group(2), int(m.group(1))
        # what cpp consumed before line N (#error, #if) sorts here
        order.setdefault((file, line - 1), i)
        pos = text.find("\n", m.end()) + 1
        if pos == 0:
            return order
        i += 1
    plain(text.count("\n", pos) + 1)
    return order


#: a line marker (``# N "file"``, ``#line N "file"``) at a line's start, within its line
_MARKER_LINE = re.compile(r'^#[^\S\n]*(?:line[^\S\n]+)?(\d+)[^\S\n]+"((?:\\.|[^"\\\n])*)"', re.M)


def first_error(text: str, target, failure: ParseError, name: str = "<headers>",
                limit: int = 8) -> AbicheckError:
    """The error GCC would report first for ``text`` the parser rejected.

    The parser stops at the first unknown type name, but GCC reads on and may
    have complained earlier in the unit about something only evaluation
    finds: an undeclared constant in an enum (``MSG_FIN`` in linux/sctp.h
    without <sys/socket.h>), an incomplete member type.  So each unknown
    type name is assumed to be a type and the text parsed again (at most
    ``limit`` times); then every enum constant and record declared is
    evaluated on ``target``, and the earliest error in unit order wins.
    """
    from abicheck.layout import Layouter

    unit, found = _read_on(text, name, failure.msg, failure.loc, limit)
    errors: list[AbicheckError] = [failure, *(ParseError(msg, loc) for msg, loc in found)]
    if unit is not None:
        lay = Layouter(unit, target)
        for en in unit.constants.values():
            try:
                lay.eval(en.value, en.loc)
            except AbicheckError as e:
                errors.append(detached(e) if e.loc else AbicheckError(e.msg, en.loc))
            except RecursionError:
                break               # hostile nesting: the parse error stands
        for rec in unit.records.values():
            if rec.fields is not None:
                try:
                    lay.size_align(rec, rec.loc)
                except AbicheckError as e:
                    # kept detached: its traceback holds this frame, and so
                    # this list, in a cycle
                    errors.append(detached(e))
                except RecursionError:
                    break
    order = tu_order(f'# 1 "{name}"\n{text}')
    placed = [e for e in errors if e.loc is not None]
    if not placed:
        return failure
    return min(placed, key=lambda e: (position(order, e.loc), e.loc.col))


@functools.lru_cache(maxsize=16)
def _read_on(text: str, name: str, msg: str, loc: SourceLoc | None,
             limit: int) -> tuple[object, tuple[tuple[str, SourceLoc | None], ...]]:
    """(the unit parsed with every unknown type name assumed a type, or None;
    the errors met on the way).  Target-independent, so computed once per
    text: a header that fails, fails on every target alike."""
    from abicheck.frontend.parse import parse

    found: list[tuple[str, SourceLoc | None]] = []
    assumed: set[str] = set()
    for _ in range(limit):
        # every identifier that looks like an unknown type name at once: one
        # parse per round, not one per name
        new = [e for e in unknown_type_names(text, assumed | _known(text, name), name)
               if e.msg.split("'")[1] not in assumed]
        mt = re.match(r"unknown type name '(\w+)'$", msg)
        names = {e.msg.split("'")[1] for e in new} | ({mt.group(1)} if mt else set())
        if not names - assumed:
            break
        found.extend((e.msg, e.loc) for e in new)
        assumed |= names
        try:
            return parse(text, name, sorted(assumed)), tuple(found)
        except ParseError as e:
            msg, loc = e.msg, e.loc
            found.append((msg, loc))
    return None, tuple(found)


def position(order: dict[tuple[str, int], int], loc: SourceLoc) -> float:
    """Where ``loc`` stands in the unit; a line cpp consumed (``#error``)
    stands just after the last line of its file before it."""
    hit = order.get((loc.file, loc.line))
    if hit is not None:
        return hit
    before = [i for (f, ln), i in order.items() if f == loc.file and ln < loc.line]
    return max(before) + 0.5 if before else float(1 << 60)


def _known(text: str, name: str) -> set[str]:
    """Typedef names the text declares (``typedef ... NAME;``), roughly: the
    scan must not take a declared type for an unknown one."""
    return set(re.findall(r"\btypedef\b[^;{}]*?(\w+)\s*(?:\[[^;]*\])?\s*;", text)) | \
        set(re.findall(r"}\s*(\w+)\s*;", text))
