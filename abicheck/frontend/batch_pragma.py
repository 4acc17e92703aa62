"""Whether a batched header may have run a pragma through ``_Pragma``.

A ``_Pragma`` operator runs its pragma when cpp reads it outside a
directive, and gcc 12's ``-E`` output keeps no ``#pragma`` line of the
ones cpp runs itself (``once``, ``push_macro``, ``pop_macro``,
``GCC poison``: gcc-checked in ``test_batch_pragma``; ``system_header``,
``dependency``, ``GCC warning``/``error`` are cpp's too): state that
outlives the header and that ``-dD`` does not show, so a header that may
have run any pragma that way ends its batch (``batch``), whatever the
pragma.

A ``_Pragma`` inside a ``#define`` body does nothing until the macro is
expanded, and glibc's ``sys/cdefs.h`` (which a twelfth of the uapi headers
reach) defines two such macros that uapi headers never use.  So a file is
stateful by itself only when ``_Pragma`` stands outside its ``#define``
lines; and a header whose ``-dD`` record defines a macro with ``_Pragma``
in its body is stateful when one of the macros that may reach it (the
body's macro, every macro whose body names one of those, and so on) is
named outside a ``#define`` line of a file the header entered, or when an
identifier that pasting could make one of them from (a proper prefix of
its name: the first piece of every paste that spells it) stands in such
a file (inside parentheses, where a macro's arguments stand, unless a
body's parentheses do not nest) or in a body (outside a ``##`` chain, or
first in one that can begin the name).  Macros a header defined do not
survive into the next header (``batch`` checks that every name its
``-dD`` record touched was reset), so only the header's own expansions
matter.

The same look at pieces answers for ``_Pragma`` itself made by pasting
(``CAT(_Pra, gma)("once")`` runs the pragma, gcc-checked in
``test_batch_pragma``), asked only of a header that entered a file holding
an identifier ``_`` ... ``_Pragm`` (``pasting_pieces``; a few uapi headers).
"""
from __future__ import annotations

import functools
import re
from typing import Iterable, Mapping

from abicheck.frontend.moment import kept

_IDENT = re.compile(r"[A-Za-z_]\w*", re.A)
#: string and character literals (kept: a comment opener inside one is no
#: comment) and comments (made a space, as cpp does before directives)
_LEXEME = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?(?:\*/|\Z)|//[^\n]*', re.S)
_DEFINE_LINE = re.compile(r"^[ \t]*#[ \t]*define\b[^\n]*", re.M)
#: a ``#define`` line of cpp's ``-dD`` record: name, parameters, body
_RECORD = re.compile(r"\n#define ([A-Za-z_]\w*)(\([^)\n]*\))?([^\n]*)", re.A)
#: operands joined by ``##`` (identifiers and numbers: nothing else pastes
#: into an identifier)
_CHAIN = re.compile(r"\w+(?:[ \t]*##[ \t]*\w+)+", re.A)
_PRAGMA = re.compile(r"(?<![\w$])_Pragma(?![\w$])", re.A)
_PAREN = re.compile(r"[()]")
_PAREN_OR_IDENT = re.compile(r"[()]|[A-Za-z_]\w*", re.A)
#: an identifier that is a proper prefix of ``_Pragma``
#: (opening with the literal, the regex engine skips to: the look back comes after it)
_PRAGMA_PIECE = re.compile(r"_(?<![\w$]_)(?:P(?:r(?:a(?:g(?:m)?)?)?)?)?(?![\w$])", re.A)


def _prefixes(name: str) -> set[str]:
    return {name[:k] for k in range(1, len(name))}


def uncommented(text: str, literals: bool = True) -> str:
    """``text`` with every comment a space, and every string or character
    literal too unless ``literals``."""
    return _LEXEME.sub(lambda m: m.group(0) if literals and m.group(0)[0] != "/" else " ", text)


def file_stateful(text: str) -> bool:
    """Whether a file (lines already joined) may run a pragma by itself:
    ``_Pragma`` outside its ``#define`` lines (comments made spaces)."""
    if "_Pragma" not in text:
        return False                    # the common case: nothing to lex
    return _PRAGMA.search(_DEFINE_LINE.sub(" ", uncommented(text))) is not None


def pasting_pieces(text: str) -> bool:
    """Whether a file's text holds an identifier pasting could begin
    ``_Pragma`` with (read raw: in a comment or a literal too)."""
    return _PRAGMA_PIECE.search(text) is not None


@kept
@functools.lru_cache(maxsize=4096)
def _uses(path: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The identifiers outside the ``#define`` lines of a file, comments
    made spaces: with the words of literals; without them (no paste takes
    an operand from a literal); and of those, the ones inside parentheses
    (``_nested``).  Empty when it cannot be read (cpp then fails on it and
    the header runs alone)."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
    except OSError:
        return frozenset(), frozenset(), frozenset()
    text = _DEFINE_LINE.sub(" ", uncommented(text.replace("\\\r\n", "").replace("\\\n", "")))
    bare = uncommented(text, False)
    inside, depth = set(), 0
    for m in _PAREN_OR_IDENT.finditer(bare):
        tok = m.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth = max(0, depth - 1)
        elif depth:
            inside.add(tok)
    return frozenset(_IDENT.findall(text)), frozenset(_IDENT.findall(bare)), frozenset(inside)


def _nested(body: str) -> bool:
    """Whether a body's parentheses nest (each closes one it opened)."""
    depth = 0
    for c in _PAREN.findall(uncommented(body, False)):
        depth += 1 if c == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def _params(params: str | None) -> set[str]:
    """The parameter names of a ``-dD`` record's ``(a, b, ...)``."""
    if not params:
        return set()
    names = set(_IDENT.findall(params))
    return names | {"__VA_ARGS__"} if "..." in params else names


def _loose_pieces(body: str, params: set[str], targets: set[str], pieces: set[str]) -> bool:
    """Whether a body holds the first piece of a paste that may spell (or
    begin) a name of ``targets``: an operand of a ``##`` chain with only
    parameters before it (each may be empty) from which the chain can
    match the start of such a name (a parameter matches anything: its
    argument is written elsewhere, and looked at there), or a piece of one
    (``pieces``) outside any chain (an argument the body hands on to a
    macro that pastes it)."""
    body = uncommented(body, False)
    for m in _CHAIN.finditer(body):
        ops = [o.strip() for o in m.group(0).split("##")]
        for i, op in enumerate(ops):
            if op in params:
                continue
            pattern = re.compile("".join(".*" if o in params else re.escape(o) for o in ops[i:]))
            if any(pattern.match(n) for n in targets):
                return True
            break                       # a literal operand: the ones after it are not first
    return not pieces.isdisjoint(_IDENT.findall(_CHAIN.sub(" ", body)))


@functools.lru_cache(maxsize=65536)
def _idents(body: str) -> frozenset[str]:
    """The identifiers of a body (the same lines come back in part after
    part: glibc's headers)."""
    return frozenset(_IDENT.findall(body))


@functools.lru_cache(maxsize=16)
def _command_bodies(items: tuple[tuple[str, str], ...]
                    ) -> tuple[tuple[str, str, str | None, frozenset[str]], ...]:
    """(name, body, parameters, identifiers) of each command-line macro:
    the same in every part of a group."""
    out = []
    for key, value in items:
        m = re.match(r"([A-Za-z_]\w*)(\([^)]*\))?", key)
        if m:
            out.append((m.group(1), value, m.group(2), _idents(value)))
    return tuple(out)


def may_run(record: str, files: Iterable[str], macros: Mapping[str, str]) -> bool:
    """Whether a header whose part of cpp's ``-dD`` output is ``record``
    (its definitions opening after a line break), that entered ``files``,
    under the command-line ``macros``, may have run a pragma through a
    macro holding ``_Pragma`` or through ``_Pragma`` made by pasting.
    Over-answers (a name in a string or a skipped block counts): then the
    batch ends, which is always exact."""
    bodies = [(name, body, params, _idents(body)) for name, params, body in _RECORD.findall(record)]
    bodies += _command_bodies(tuple(macros.items()))
    reach = {n for n, _, _, ids in bodies if "_Pragma" in ids}
    grew = True
    while grew:
        grew = False
        for n, _, _, ids in bodies:
            if n not in reach and not ids.isdisjoint(reach):
                reach.add(n)
                grew = True
    targets = reach | {"_Pragma"}
    pieces = set().union(*(_prefixes(n) for n in targets)) - reach
    nested: bool | None = None
    for path in files:
        uses, bare, inside = _uses(path)
        if not uses.isdisjoint(reach) or not inside.isdisjoint(pieces):
            return True
        if not bare.isdisjoint(pieces):
            # with every body's parentheses nested, an argument written in
            # a file stands inside parentheses of that file (a clamped
            # count of them never falls below the one that opened the list)
            if nested is None:
                nested = all(_nested(body) for _, body, _, _ in bodies)
            if not nested:
                return True
    # a body without a piece among its identifiers (with the words of
    # literals: a superset) holds no first piece: a chain's first literal
    # is a prefix of the name it may begin, so a piece or a name of
    # ``reach`` (and then the body's own macro is one, its uses seen above)
    return any(_loose_pieces(body, _params(params), targets, pieces) for _, body, params, ids in bodies
               if not pieces.isdisjoint(ids))
