"""Read the common shapes of a file-scope declaration without pycparser,
giving the nodes pycparser gives.

Why: a cold run parses each distinct declaration once (``chunks``), and
pycparser's lexer and token stream were most of that time.  Nearly every
declaration of the uapi and libc headers is one of a few shapes: struct,
union and enum definitions, typedefs, prototypes.  ``parse`` reads those
with one compiled regex (``fastlex``) and a small recursive descent
(``fastexpr`` for the constant expressions), and
builds the same ``c_ast`` nodes pycparser's ``c23`` dialect builds (the
same classes, attribute values, children and ``Coord`` on every node;
``tests/frontend/test_fastdecl.py`` holds it to
``chunks._ChunkParser.parse_piece`` over real headers and generated
declarations).  Anything else, and anything it is unsure of, gives None,
and the caller asks pycparser as before.

Read: ``typedef``, ``static``, ``extern``, ``inline`` and the qualifiers;
the basic type keywords; typedef names (typedef-ness answered by the
declaration's own names, then by the outer scope, as pycparser asks it);
struct/union/enum specifiers with or without a body, nested; declarators
of pointers, then a name, then arrays or one parameter list (parameters
of specifiers and a named declarator or pointers only, ``...`` last);
bit-fields; C23 ``[[...]]`` attribute groups (the ones ``gnu.rewrite``
leaves) where the declaration puts them; constant expressions of integer
and character constants, identifiers, unary ``+ - ~ ! & *``, binary
operators by C precedence, ``?:``, parentheses, casts and ``sizeof`` of a
type name without a declarator other than ``*``; gcc line markers between
tokens.  Not read (None): parenthesized declarators (function pointers),
K&R identifier lists, initializers, other storage classes, ``typeof``,
``_Alignas``, ``_Atomic``, string and floating constants, postfix
operators, pragmas and other directives, attributes before a declaration
or a parameter, a name declared both as a typedef and as an ordinary
identifier (pycparser's scope refuses those), nesting deeper than
``DEPTH``.

What it answers for the memo (``asked``): every identifier of the
declaration (attribute names too) with the outer scope's answer, which is
what pycparser asks, since it classifies every identifier token it meets
before the declaration declares it; and the last word of an unnamed
parameter's type (``int`` of ``unsigned int``), which pycparser looks up
too.  The punctuators are the very string objects pycparser's lexer
gives: a unit's pickle shares equal strings that are one object, so ``<<``
read here and ``<<`` read by pycparser must be one.

Measured (608 ``linux/*.h`` + ``asm/*.h`` headers, one process, cache off,
``benchmarks.corpus_worker.run_abicheck``, 4 runs each, on and off
alternating, the other core busy): x86_64 reads 5,048 of the 5,066 pieces
here, which took pycparser 1.1-1.6 s, in 0.30-0.42 s (and 0.01 s in
pycparser for the rest); the cold run 3.66 -> 3.00 CPU s (0.82x); aarch64
5,146 of 5,159, 3.61 -> 2.82 CPU s (0.78x).
"""
from __future__ import annotations

from pycparser import c_ast
from pycparser.c_parser import Coord

from abicheck.frontend import fastlex
from abicheck.frontend.fastexpr import DEPTH, Bail, Cursor

#: whether ``chunks.parse`` tries this reader before pycparser
ENABLED = True

_SUE = (c_ast.Struct, c_ast.Union, c_ast.Enum)


def _attach(node: c_ast.Node, attrs: list) -> None:
    """pycparser's ``_attach_type_attributes``: the attributes after the
    specifiers wrap the type under the declarators."""
    while isinstance(node.type, (c_ast.PtrDecl, c_ast.ArrayDecl, c_ast.FuncDecl, c_ast.TypeDecl)):
        node = node.type
    node.type = c_ast.AttributedType(node.type, attrs, node.type.coord)


class _Reader(Cursor):
    """Recursive descent over the tokens, building pycparser's nodes the way
    its parser builds them (the same nesting of declarators, the same
    coordinates: e.g. a ``Decl`` at its outermost declarator, a ``Struct``
    at its name or brace, an ``Enum`` at the keyword); the expressions are
    ``fastexpr``'s."""

    __slots__ = ()

    def declaration(self) -> list:
        if self.t[self.i][0] == ";":
            self.i += 1
            return []
        spec = self.specifiers(True)
        out: list = []
        k = self.t[self.i][0]
        if k in ("*", "ID"):
            items = [(self.declarator(), None)]
            while self.t[self.i][0] == ",":
                self.i += 1
                items.append((self.declarator(), None))
            self.build(out, spec, items, True)
        else:
            self.lone(out, spec, False)
        self.expect(";")
        if self.t[self.i][0] != "END":
            raise Bail
        return out

    def specifiers(self, top: bool, param: bool = False) -> tuple[list, list, list, list, list]:
        """qualifiers, storage classes, function specifiers, type specifiers,
        attributes after them (storage and ``inline`` at file scope only; a
        parameter of qualifiers only is an ``int``)."""
        first = self.t[self.i]
        quals: list[str] = []
        storage: list[str] = []
        funcspec: list[str] = []
        types: list = []
        tattrs: list = []
        t = self.t
        while True:
            tok = t[self.i]
            k = tok[0]
            if k == "Q":
                quals.append(tok[1])
                self.i += 1
            elif k == "T" or (k == "ID" and not types and self.is_type(tok[1])):
                types.append(c_ast.IdentifierType([tok[1]], self.coord(tok)))
                self.i += 1
            elif k == "su":
                types.append(self.struct())
            elif k == "enum":
                types.append(self.enum())
            elif (k == "typedef" or k == "S") and top:
                storage.append(tok[1])
                self.i += 1
            elif k == "F" and top:
                funcspec.append(tok[1])
                self.i += 1
            elif k == "ATTR" and (quals or storage or funcspec or types):
                tattrs = self.attrs()
                break
            else:
                break
        if not types:
            if not (param and quals):
                raise Bail
            types.append(c_ast.IdentifierType(["int"], self.coord(first)))
        return quals, storage, funcspec, types, tattrs

    def lone(self, out: list, spec, member: bool) -> None:
        """A specifier without declarators: a struct, union or enum (a
        member may also be a lone basic type or typedef name, ``int;``)."""
        quals, storage, funcspec, types, tattrs = spec
        if len(types) != 1 or not (member or isinstance(types[0], _SUE)):
            raise Bail
        decl = c_ast.Decl(None, quals, [], storage, funcspec, types[0], None, None, types[0].coord)
        if tattrs:
            decl.type = c_ast.AttributedType(decl.type, tattrs, decl.type.coord)
        out.append(decl)

    def pointers(self) -> list[tuple[list, Coord, list]]:
        """Each ``*`` (qualifiers, where, attributes), first first."""
        t = self.t
        stars = []
        while t[self.i][0] == "*":
            star = t[self.i]
            self.i += 1
            a = self.attrs()
            q = []
            while t[self.i][0] == "Q":
                q.append(t[self.i][1])
                self.i += 1
            stars.append((q, self.coord(star), a))
        return stars

    @staticmethod
    def base(types: list) -> tuple[c_ast.Node | None, list[str]]:
        """The struct, union or enum the specifiers name, else the words of their type."""
        if len(types) == 1 and isinstance(types[0], _SUE):
            return types[0], []
        names: list[str] = []
        for tn in types:
            if not isinstance(tn, c_ast.IdentifierType):
                raise Bail         # pycparser: "Invalid multiple types specified"
            names.extend(tn.names)
        return None, names

    def declarator(self) -> c_ast.Node:
        t = self.t
        stars = self.pointers()
        name = self.expect("ID")
        c = self.coord(name)
        inner: c_ast.Node = c_ast.TypeDecl(name[1], None, None, None, c, attributes=self.attrs())
        arrays = []
        while t[self.i][0] == "[":
            self.i += 1
            if t[self.i][0] == "*":
                raise Bail      # ``[*]`` (pycparser takes no expression after the star)
            dim = None if t[self.i][0] == "]" else self.conditional()
            self.expect("]")
            arrays.append(c_ast.ArrayDecl(None, dim, [], c, attributes=self.attrs()))
        func = None
        if t[self.i][0] == "(" and not arrays:
            self.i += 1
            args = self.nested(self.params)
            func = c_ast.FuncDecl(args, None, c, attributes=self.attrs())
        if t[self.i][0] in ("(", "["):
            raise Bail
        for q, sc, a in stars:
            inner = c_ast.PtrDecl(q, inner, sc, attributes=a)
        for arr in reversed(arrays):
            arr.type = inner
            inner = arr
        if func is not None:
            func.type = inner
            inner = func
        return inner

    def build(self, out: list, spec, items, top: bool) -> None:
        """The ``Decl`` or ``Typedef`` of each declarator, as pycparser's
        ``_build_declarations`` makes them; at file scope its name is declared."""
        quals, storage, funcspec, types, tattrs = spec
        typedef = "typedef" in storage
        align: list = []
        single, names = self.base(types)
        for d, bits in items:
            if typedef:
                node = c_ast.Typedef(None, quals, storage, d, d.coord)
            else:
                node = c_ast.Decl(None, quals, align, storage, funcspec, d, None, bits, d.coord)
            td = d
            while type(td) is not c_ast.TypeDecl:
                td = td.type
            node.name = td.declname
            td.quals = quals[:]
            if single is not None:
                td.type = single
                node.quals = td.quals[:]        # pycparser's fix_atomic_specifiers copies them back
            else:
                td.type = c_ast.IdentifierType(names[:], types[0].coord)
            if top:
                self.declare(node.name, typedef)
            if tattrs:
                _attach(node, tattrs)
            out.append(node)

    def declare(self, name: str, typedef: bool) -> None:
        """Declare ``name`` at file scope, where pycparser's scope would not refuse it."""
        own = self.own
        was = own[name] if name in own else self.outer.get(name)
        if (was is False) if typedef else bool(was):
            raise Bail
        own[name] = typedef

    def struct(self) -> c_ast.Node:
        t = self.t
        kw = t[self.i]
        self.i += 1
        cls = c_ast.Struct if kw[1] == "struct" else c_ast.Union
        attrs = self.attrs()
        tok = t[self.i]
        if tok[0] == "ID":
            self.i += 1
            if t[self.i][0] != "{":
                return cls(tok[1], None, self.coord(tok), attributes=attrs)
            name = tok[1]
        elif tok[0] == "{":
            name = None
        else:
            raise Bail
        self.i += 1
        self.depth += 1
        if self.depth > DEPTH:
            raise Bail
        decls: list = []
        while t[self.i][0] != "}":
            self.member(decls)
        self.i += 1
        self.depth -= 1
        return cls(name, decls, self.coord(tok), attributes=attrs)

    def member(self, out: list) -> None:
        k = self.t[self.i][0]
        if k == ";":
            self.i += 1
            return
        spec = self.specifiers(False)
        k = self.t[self.i][0]
        if k in ("*", "ID", ":"):
            items = []
            while True:
                if self.t[self.i][0] == ":":
                    self.i += 1
                    items.append((c_ast.TypeDecl(None, None, None, None), self.conditional()))
                else:
                    d = self.declarator()
                    bits = None
                    if self.t[self.i][0] == ":":
                        self.i += 1
                        bits = self.conditional()
                    items.append((d, bits))
                if self.t[self.i][0] != ",":
                    break
                self.i += 1
            self.build(out, spec, items, False)
        else:
            self.lone(out, spec, True)
        self.expect(";")

    def enum(self) -> c_ast.Enum:
        t = self.t
        kw = t[self.i]
        self.i += 1
        attrs = self.attrs()
        name = None
        if t[self.i][0] == "ID":
            name = t[self.i][1]
            self.i += 1
        if t[self.i][0] == ":" and self.starts_declaration(t[self.i + 1]):
            raise Bail          # an underlying type (a colon before anything else: a bit-field)
        values = None
        if name is None or t[self.i][0] == "{":
            self.expect("{")
            members = []
            while True:
                tok = self.expect("ID")
                a = self.attrs()
                value = None
                if t[self.i][0] == "=":
                    self.i += 1
                    value = self.conditional()
                members.append(c_ast.Enumerator(tok[1], value, self.coord(tok), attributes=a))
                self.declare(tok[1], False)
                if t[self.i][0] != ",":
                    break
                self.i += 1
                if t[self.i][0] == "}":
                    break
            self.expect("}")
            values = c_ast.EnumeratorList(members, members[0].coord)
        return c_ast.Enum(name, values, None, self.coord(kw), attributes=attrs)

    def type_name(self) -> c_ast.Typename:
        """A type name as in ``sizeof(T)`` and casts: no declarator but ``*``."""
        spec = self.specifiers(False)
        td, decl = self.abstract()
        if spec[4]:
            raise Bail
        return self.typename(spec, td, decl, decl.coord if decl is not td else spec[3][0].coord)

    def abstract(self) -> tuple[c_ast.TypeDecl, c_ast.Node]:
        """An abstract declarator of pointers only: its TypeDecl, its outermost node."""
        td = c_ast.TypeDecl(None, None, None, None)
        decl: c_ast.Node = td
        for q, c, a in self.pointers():
            decl = c_ast.PtrDecl(q, decl, c, attributes=a)
        if self.t[self.i][0] in ("(", "["):
            raise Bail
        return td, decl

    def typename(self, spec, td: c_ast.TypeDecl, decl: c_ast.Node, coord) -> c_ast.Typename:
        """pycparser's ``_build_type_name``."""
        quals, _, _, types, tattrs = spec
        single, names = self.base(types)
        tn = c_ast.Typename(None, quals[:], None, decl, coord)
        td.quals = quals[:]
        td.type = single or c_ast.IdentifierType(names, types[0].coord)
        if single:
            tn.quals = td.quals[:]      # as pycparser's fix_atomic_specifiers leaves them
        if tattrs:
            _attach(tn, tattrs)
        return tn

    def params(self) -> c_ast.ParamList | None:
        """A prototype's parameters, the ``(`` just read."""
        t = self.t
        if t[self.i][0] == ")":
            self.i += 1
            return None
        params: list = []
        while True:
            tok = t[self.i]
            if tok[0] == "..." and params:
                self.i += 1
                params.append(c_ast.EllipsisParam(self.coord(tok)))
                break
            if not self.starts_declaration(tok) or tok[0] in ("ATTR", "typedef", "S", "F"):
                raise Bail      # an identifier list, attributes, C23's lone ``...``
            spec = self.specifiers(False, True)
            j = self.i
            while t[j][0] in ("*", "Q", "ATTR"):
                j += 1
            if t[j][0] == "ID":             # named
                self.build(params, spec, [(self.declarator(), None)], False)
            else:
                types = spec[3]
                if (len(types) > 1 and isinstance(types[-1], c_ast.IdentifierType)
                        and len(types[-1].names) == 1):
                    # pycparser asks whether the last word (``int`` of
                    # ``unsigned int``) is a typedef name: a redeclared one
                    self.names[types[-1].names[0]] = None
                    if self.is_type(types[-1].names[0]):
                        raise Bail
                td, decl = self.abstract()
                params.append(self.typename(spec, td, decl, self.coord(tok)))
            if t[self.i][0] != ",":
                break
            self.i += 1
        self.expect(")")
        return c_ast.ParamList(params, params[0].coord)


def parse(src: str, file: str, line: int, col: int, outer: dict) -> tuple[list, dict, tuple] | None:
    """What ``chunks._ChunkParser.parse_piece`` returns for the declaration
    ``src`` behind ``# line "file"`` at column ``col`` with the file scope
    ``outer`` (nodes, names declared, answers asked), or None when it is
    not a declaration read here (or pycparser would refuse it)."""
    if fastlex.KEYWORDS is None:
        return None
    names: dict[str, None] = {}
    toks = fastlex.tokens(src, file, line, col, names)
    if toks is None:
        return None
    r = _Reader(toks, outer, names)
    try:
        nodes = r.declaration()
    except (Bail, IndexError, RecursionError):
        return None
    get = outer.get
    return nodes, r.own, tuple([(n, get(n)) for n in names])
