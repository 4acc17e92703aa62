"""The tokens of a declaration as pycparser's lexer gives them (kind,
value, line, column, file), for ``fastdecl``: one compiled regex; None at
anything ``fastdecl`` does not read (a keyword it does not know, a float,
a string, a comment, a directive other than a line marker, an attribute
argument with a literal or a bracket inside ...)."""
from __future__ import annotations

import re

from pycparser import c_ast, c_lexer
from pycparser.c_parser import Coord

_S = "[ \t\n\f\v]*"
_NAME = "[A-Za-z_$][0-9A-Za-z_$]*+"
#: attribute arguments: balanced parentheses (three levels), no literal, comment or bracket
_PLAIN = "[^()\\[\\]{}'\"/]"
_ARGS = rf"\((?:{_PLAIN}|\((?:{_PLAIN}|\({_PLAIN}*\))*\))*\)"
#: one token per match; the number of the group that matched says which:
#: 1 a directive line, 2 line breaks (and blanks after them), 3 identifier,
#: 4 number (validated below), 5 character constant, 6 attribute group
#: ``[[...]]``, 7 punctuator or any other character (checked against
#: ``_PUNCT``).  Blanks inside a line are what no group matches.
_TOKEN = re.compile(
    "(\n[ \t]*#[^\n]*)"
    "|((?:\n(?![ \t]*#)[ \t\f\v]*)+)"
    f"|({_NAME})"
    "|([0-9][0-9A-Za-z_$'.]*+)"
    r"|((?<![0-9A-Za-z_$])'(?:[^'\\\n]|\\(?:[abfnrtv\\'\"?]|[0-7]{1,3}+(?![0-9])"
    r"|x[0-9a-fA-F]++))')"
    f"|(\\[{_S}\\[(?:[^\\[\\]()'\"/]|{_ARGS})*\\]{_S}\\])"
    r"|(\[\s*\[|\.\.\.|<<=|>>=|->|\+\+|--|&&|\|\||<<|>>|<=|>=|==|!=|[-*/%+&|^]=|::|/\*|//"
    r"|[^ \t\f\v])")
#: what pycparser reads as one integer constant, and no more (no ``wb``, no digit separators)
_INT = re.compile(r"(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)"
                  r"(?:[uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?")
#: one attribute of a group, and the comma or the group's end after it
_ITEM = re.compile(f"{_S}(?:({_NAME}){_S}(?:::{_S}({_NAME}){_S})?({_ARGS})?{_S})?(,|\\]{_S}\\]\\Z)")
#: a gcc line marker as pycparser's lexer reads it (line, then a file without escapes)
_MARKER = re.compile(r'\n[ \t]*#[ \t]*([0-9]+)[ \t]+"([^"\\\n]*)"(?:[ \t]+[0-9]+)*[ \t]*')
#: pycparser's token type of each keyword -> the kind read here (others: not read)
_KIND_OF = {"CONST": "Q", "VOLATILE": "Q", "RESTRICT": "Q", "TYPEDEF": "typedef",
            "STATIC": "S", "EXTERN": "S", "INLINE": "F",
            "STRUCT": "su", "UNION": "su", "ENUM": "enum", "SIZEOF": "sizeof", "BOOL_CONST": "BOOL",
            **dict.fromkeys(("VOID", "_BOOL", "CHAR", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE",
                             "_COMPLEX", "SIGNED", "UNSIGNED", "__INT128"), "T")}
try:
    # the keywords as pycparser's c23 lexer knows them: value -> token type
    KEYWORDS: dict[str, str] | None = dict(c_lexer.CLexer(lambda *a: None, dialect="c23")._keyword_map)
    #: each keyword's kind here (None: not read here)
    _WORDS = {w: _KIND_OF.get(t) for w, t in KEYWORDS.items()}
    # the punctuators read here, as the very strings pycparser's lexer gives
    # (a unit's pickle shares equal strings that are one object: ``<<`` of
    # one declaration parsed here and of another parsed by pycparser must be one)
    _PUNCT = {e.literal: e.literal for e in c_lexer._fixed_tokens
              if e.literal in "{ } ( ) [ ] ; , : * = + - ~ ! / % << >> < > <= >= == != & | ^ && || ? ...".split()}
except Exception:           # another pycparser: never read here
    KEYWORDS, _PUNCT, _WORDS = None, {}, {}
#: a token: (kind, value, line, column, file); an attribute group's value is its AttributeSpecifier
Token = tuple


def tokens(src: str, file: str, line: int, col: int, names: dict) -> list[Token] | None:
    """The tokens of ``src``, its first character at ``line``:``col``, as
    pycparser's lexer places them; the identifiers go into ``names`` (in
    order).  None at anything not read here."""
    toks: list[Token] = []
    add = toks.append
    words = _WORDS
    start = 1 - col             # where the first line would start
    for m in _TOKEN.finditer(src):
        g = m.lastindex
        v = m.group()
        s = m.start()
        if g == 3:
            k = words.get(v, "ID")
            if k == "ID":
                names[v] = None
            elif k is None:
                return None
            add((k, v, line, s - start + 1, file))
        elif g == 7:
            v = _PUNCT.get(v)
            if v is None:
                return None
            add((v, v, line, s - start + 1, file))
        elif g == 2:
            line += v.count("\n")
            start = s + v.rfind("\n") + 1
        elif g == 4:
            if not _INT.fullmatch(v):
                return None
            add(("NUM", v, line, s - start + 1, file))
        elif g == 1:
            mk = _MARKER.fullmatch(v)
            if mk is None:
                return None
            line = int(mk.group(1)) - 1     # the line after it is that line
            file = mk.group(2)
        elif g == 5:
            add(("CHAR", v, line, s - start + 1, file))
        else:
            spec = attribute_group(v, file, line, s - start + 1, names)
            if spec is None:
                return None
            add(("ATTR", spec, line, s - start + 1, file))
            n = v.count("\n")
            if n:
                line += n
                start = s + v.rfind("\n") + 1
    toks.append(("END", None, line, 0, file))
    toks.append(("END", None, line, 0, file))
    return toks


def attribute_group(v: str, file: str, line: int, col: int, names: dict) -> c_ast.AttributeSpecifier | None:
    """The ``AttributeSpecifier`` of the group ``v`` (``[[`` at line:col)."""
    def coord(off: int) -> Coord:
        nl = v.count("\n", 0, off)
        if not nl:
            return Coord(file, line, col + off)
        return Coord(file, line + nl, off - v.rfind("\n", 0, off))
    attrs = []
    pos = v.index("[", 1) + 1
    while True:
        m = _ITEM.match(v, pos)
        if m is None:
            return None
        first, second, args, end = m.groups()
        if first is not None:
            names[first] = None
            if second is not None:
                names[second] = None
                attrs.append(c_ast.Attribute(second, first, args and args[1:-1], coord(m.start(2))))
            else:
                attrs.append(c_ast.Attribute(first, None, args and args[1:-1], coord(m.start(1))))
        if end != ",":
            return c_ast.AttributeSpecifier(attrs, Coord(file, line, col))
        pos = m.end()


def int_type(v: str) -> str:
    """pycparser's type of an integer constant: by the u/U and l/L of its last three characters."""
    tail = v[-3:]
    return ("unsigned " * (tail.count("u") + tail.count("U"))
            + "long " * (tail.count("l") + tail.count("L")) + "int")
