"""Say what is wrong with text the parser rejected, the way GCC would.

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

from pycparser import c_lexer

from abicheck.errors import ParseError, SourceLoc

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
    lex = c_lexer.CLexer(lambda msg, line, col: None, dialect="c23")
    lex.input(text, name)
    prev2: c_lexer.Token | None = None
    prev: c_lexer.Token | None = None
    while True:
        try:
            tok = lex.token()
        except Exception:           # noqa: BLE001 - a lexing problem: stop looking
            return None
        if tok is None:
            return None
        if before and tok.filename == before[0] and tok.lineno > before[1]:
            return None
        if prev is not None and prev.type == "ID" and prev.value not in typedef_names \
                and (prev2 is None or prev2.type in _STARTS):
            declarator = tok.type == "ID" or (tok.type == "TIMES" and prev2 is not None
                                              and prev2.type in ("SEMI", "LBRACE", "RBRACE"))
            if declarator:
                return ParseError(f"unknown type name '{prev.value}'",
                                  SourceLoc(prev.filename, prev.lineno, prev.column))
        prev2, prev = prev, tok
