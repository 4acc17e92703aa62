"""Rewrite GNU C spellings into the C23 that pycparser's ``c23`` dialect reads.

Real uapi and libc headers are written for GCC.  Rather than teach the parser
GNU C, we rewrite the handful of GNU spellings into standard C23 *before*
parsing, keeping everything that matters for layout:

- ``__attribute__((a, b(x)))`` becomes ``[[gnu::a, gnu::b(x)]]`` with the
  name's ``__`` decorations dropped, so ``aligned``, ``packed`` and ``mode``
  survive into the AST at the position GCC would apply them.  Attributes that
  cannot change a layout (``always_inline``, ``format``, ``nonnull``, ...)
  are dropped: GCC accepts them between declaration specifiers
  (``static __inline __attribute__((always_inline)) int f(void)``, as in
  glibc's byte-swap helpers and fortify wrappers), where C23 has no place
  for an attribute;
- ``__extension__``, ``__asm__("name")`` renames, ``__thread`` and ``__inline``
  noise are dropped;
- ``__alignof__`` becomes C23 ``alignof`` while ``_Alignof`` stays: the parser
  keeps the spelling, and the evaluator gives ``alignof`` GCC's *preferred*
  alignment (``__alignof__(long long)`` is 8 on i386, ``_Alignof`` is 4);
- ``__typeof__`` becomes ``typeof``; ``__signed__`` ``signed`` and so on;
- ``__int128`` becomes ``long long long``, a spelling no header uses, which the
  model maps back to the 128-bit scalar (pycparser has no such keyword);
- bodies of function definitions (static inline helpers full of inline asm and
  builtins) are replaced by ``;``: layouts never depend on them.

Every rewrite keeps the newlines of the text it replaces, so pycparser's
coordinates still point at the header's own lines.
"""
from __future__ import annotations

import re

# Tokens we must see to rewrite: string/char literals (skipped whole), line
# markers (skipped whole), identifiers, and the punctuation that nests.
_TOKEN = re.compile(r'''
    (?P<marker>^\#[^\n]*)                      # line marker / pragma line
  | (?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<punct>\[\[|\]\]|[(){};\[\]=,])
''', re.VERBOSE | re.MULTILINE)

_SIMPLE = {
    "__signed__": "signed", "__signed": "signed",
    "__inline__": "inline", "__inline": "inline",
    "__const__": "const", "__const": "const",
    "__volatile__": "volatile", "__volatile": "volatile",
    "__restrict__": "restrict", "__restrict": "restrict", "_Noreturn": "",
    "__extension__": "", "__thread": "", "_Thread_local": "",
    "__alignof__": "alignof", "__alignof": "alignof",
    "__typeof__": "typeof", "__typeof": "typeof",
    "__int128": "long long long", "__int128_t": "long long long",
    "__builtin_offsetof": "offsetof",
    "__label__": "",
    "__complex__": "_Complex", "__complex": "_Complex",
}
#: GCC's extended floating types (ISO/IEC TS 18661-3), which the parser
#: knows as predeclared type names.
FLOAT_TYPE_NAMES = ("_Float32", "_Float64", "_Float128", "_Float32x", "_Float64x",
                    "__float128", "__float80", "__ibm128", "__ieee128")
_COMPLEX_FLOAT = re.compile(r"\b_Complex\s+(%s)\b|\b(%s)\s+_Complex\b"
                            % ("|".join(FLOAT_TYPE_NAMES), "|".join(FLOAT_TYPE_NAMES)))


def complex_name(float_name: str) -> str:
    """The one-token spelling of ``_Complex <float_name>`` for the parser."""
    return f"__abicheck_complex{float_name}"


_ATTRIBUTE = {"__attribute__", "__attribute"}
#: The attributes that can change a layout, kept; every other one is dropped.
#: ``vector_size`` and ``scalar_storage_order`` are kept so the model can
#: refuse them by name instead of laying out a wrong size silently.
LAYOUT_ATTRIBUTES = frozenset({"aligned", "packed", "mode", "vector_size",
                               "scalar_storage_order", "ms_struct", "gcc_struct"})
_ASM = {"__asm__", "__asm", "asm"}
_ASM_QUALS = {"volatile", "__volatile__", "__volatile", "goto", "inline", "__inline__"}
_ASM_QUAL = re.compile(r"\s*([A-Za-z_]\w*)")
_OPEN = re.compile(r"\s*\(")
#: what ``rewrite`` acts on: a ``#`` (a line marker when it opens a
#: line), a literal (skipped whole), a spelling it rewrites (checked to be
#: an identifier of its own, ``_starts_identifier``).  Every alternative
#: opens with a literal character, so the regex engine skips to the next
#: candidate in C; only ~2% of the tokens are candidates.
_WORDS = sorted(set(_SIMPLE) | _ATTRIBUTE | _ASM, key=lambda w: (-len(w), w))
_CANDIDATE = re.compile(r'''\#[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|_(?:%s)(?!\w)|%s''' % (
    "|".join(w[1:] for w in _WORDS if w[0] == "_"),
    "|".join(w + r"(?!\w)" for w in _WORDS if w[0] != "_")))
_ID_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_WORD_CHAR = re.compile(r"\w")


def _starts_identifier(text: str, at: int) -> bool:
    """Whether ``_TOKEN``'s scan would start an identifier at ``at`` (where
    ``[A-Za-z_]`` stands): not when a word character of ``[A-Za-z_]`` comes
    before it in the same run of word characters (it would have started
    there), while digits (``1__inline``) it skips."""
    k = at
    while k > 0 and _WORD_CHAR.match(text, k - 1):
        k -= 1
        if text[k] in _ID_START:
            return False
    return True


def _blank(text: str) -> str:
    """What replaces removed text: only its newlines, to keep line numbers."""
    return "\n" * text.count("\n")


def _balanced(text: str, start: int) -> int:
    """Index just past the parenthesised group opening at ``text[start]``.

    Strings inside are skipped so a ``)`` in ``"..."`` does not close it.
    Returns -1 when the group never closes.
    """
    depth = 0
    for m in _TOKEN.finditer(text, start):
        tok = m.group(0)
        if m.lastgroup == "str" or m.lastgroup == "marker":
            continue
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
            if depth == 0:
                return m.end()
    return -1


def _split_top(args: str) -> list[str]:
    """Split ``a, b(x, y), c`` at the commas not nested in parentheses."""
    out, depth, cur = [], 0, []
    for ch in args:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [a for a in (x.strip() for x in out) if a]


def _attribute_to_c23(inner: str) -> str:
    """``packed, __aligned__(8)`` -> ``[[gnu::packed, gnu::aligned(8)]]``."""
    items = []
    for attr in _split_top(inner):
        m = re.match(r"([A-Za-z_]\w*)\s*(.*)$", attr, re.S)
        if not m:
            continue
        name = m.group(1)
        if name.startswith("__") and name.endswith("__") and len(name) > 4:
            name = name[2:-2]
        if name not in LAYOUT_ATTRIBUTES:
            continue
        rest = " ".join(m.group(2).split())
        if rest:
            rest = rewrite(rest)    # arguments may use __alignof__ etc.
        items.append(f"gnu::{name}{rest}")
    return f"[[{', '.join(items)}]]" if items else ""


def rewrite(text: str) -> str:
    """Rewrite preprocessed GNU C ``text`` into C23 for pycparser."""
    return rewrite_bodies(rewrite_spellings(text))


def rewrite_bodies(text: str) -> str:
    """``rewrite``'s second half: function bodies out, bitfield attributes
    hoisted (``segments`` looks at the text in between)."""
    return _hoist_bitfield_attributes(strip_function_bodies(text))


def rewrite_spellings(text: str) -> str:
    """``rewrite``'s first half: GNU spellings, attributes and ``asm``
    groups rewritten or dropped."""
    out: list[str] = []
    pos = 0
    i = 0
    while True:
        m = _CANDIDATE.search(text, i)
        if not m:
            break
        tok = m.group()
        start = m.start()
        c = tok[0]
        if c == "#":
            # a line marker is skipped whole, any other ``#`` alone
            i = m.end() if start == 0 or text[start - 1] == "\n" else start + 1
            continue
        if c == '"' or c == "'" or not _starts_identifier(text, start):
            i = m.end()
            continue
        if tok in _SIMPLE:
            out.append(text[pos:start])
            out.append(_SIMPLE[tok])
            pos = i = m.end()
            continue
        if tok in _ATTRIBUTE or tok in _ASM:
            j = m.end()
            if tok in _ASM:
                # skip qualifiers: __asm__ __volatile__ goto (...)
                while True:
                    q = _ASM_QUAL.match(text, j)
                    if q and q.group(1) in _ASM_QUALS:
                        j = q.end()
                    else:
                        break
            p = _OPEN.match(text, j)
            if not p:
                i = m.end()
                continue
            end = _balanced(text, p.end() - 1)
            if end < 0:
                i = m.end()
                continue
            out.append(text[pos:start])
            group = text[p.end() - 1:end]
            if tok in _ATTRIBUTE:
                inner = group[1:-1].strip()
                if inner.startswith("(") and inner.endswith(")"):
                    inner = inner[1:-1]
                out.append(_attribute_to_c23(inner) + _blank(group))
            else:
                out.append(_blank(group))
            pos = i = end
            continue
    out.append(text[pos:])
    text = "".join(out)
    if "_Complex" in text:              # what _COMPLEX_FLOAT needs (a scan of the text in C)
        text = _COMPLEX_FLOAT.sub(lambda m: complex_name(m[1] or m[2]), text)
    return text


# A member declaration (after ``;`` or ``{``) with a bitfield width, then a
# C23 attribute list: C23 has no place for attributes after ``: width``.
_BITFIELD_ATTR = re.compile(
    r"(?P<pre>[;{])(?P<decl>[^;{}]*?:[^;{}\[\]?]*?)"
    r"(?P<attr>\s*\[\[(?:[^\[\]]|\[[^\[\]]*\])*\]\])")


def _hoist_bitfield_attributes(text: str) -> str:
    """``int b:3 [[gnu::packed]];`` -> ``[[gnu::packed]] int b:3;``.

    GCC accepts attributes after a bitfield's width and applies them to the
    member; C23 only allows them before the declaration, where they apply to
    the member too.  Newlines move with the attribute text, so line counts stay.
    """
    if "[[" not in text:                # no attribute list, nothing to hoist
        return text
    while True:
        new = _BITFIELD_ATTR.sub(lambda m: m["pre"] + m["attr"] + " " + m["decl"], text)
        if new == text:
            return new
        text = new


#: inside braces only braces count: these, skipping line markers and
#: literals (a ``#`` that does not open a line is skipped alone)
_BRACE = re.compile(r'''\#[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[{}]''')


def strip_function_bodies(text: str) -> str:
    """Replace each top-level ``) {...}`` function body by ``;``.

    A ``{`` at file scope opens a function body exactly when the last token
    before it (looking past C23 attribute lists) is ``)``; struct, union and
    enum bodies follow a tag, keyword or attribute, initialisers follow ``=``.
    Every token at file scope is noted (``prev``); inside braces (over half
    the tokens of a uapi header) a sparser scan finds only the braces.
    """
    out: list[str] = []
    pos = 0
    depth = 0
    prev: list[str] = []          # recent significant tokens at depth 0
    body_start = -1
    i = 0
    while i >= 0:
        at, i = i, -1               # i: where to go on when the depth leaves or reaches 0
        if depth == 0:
            for m in _TOKEN.finditer(text, at):
                if m.lastgroup in ("marker", "str"):
                    continue
                tok = m.group(0)
                if tok == "{" or tok == "}":
                    if tok == "{" and _ends_declarator(prev):
                        body_start = m.start()
                    depth = 1 if tok == "{" else -1
                    i = m.end()
                    break
                prev.append(tok)
                if len(prev) > 64:
                    del prev[:32]
            continue
        for m in _BRACE.finditer(text, at):
            tok = m.group(0)
            if tok[0] == "#":
                if m.start() and text[m.start() - 1] != "\n":
                    i = m.start() + 1       # not a line marker: the '#' alone
                    break
                continue
            if tok != "{" and tok != "}":
                continue                    # a literal
            depth += 1 if tok == "{" else -1
            if depth:
                continue
            i = m.end()
            if body_start >= 0:
                out.append(text[pos:body_start])
                out.append(";" + _blank(text[body_start:m.end()]))
                pos = m.end()
                body_start = -1
                prev = [";"]
            else:
                prev.append(tok)
                if len(prev) > 64:
                    del prev[:32]
            break
    out.append(text[pos:])
    return "".join(out)


def _ends_declarator(prev: list[str]) -> bool:
    """True when the tokens before a ``{`` end a function declarator."""
    k = len(prev) - 1
    while k >= 0 and prev[k] == "]]":          # skip [[ ... ]] groups
        depth = 0
        while k >= 0:
            if prev[k] == "]]":
                depth += 1
            elif prev[k] == "[[":
                depth -= 1
                if depth == 0:
                    k -= 1
                    break
            k -= 1
    return k >= 0 and prev[k] == ")"
