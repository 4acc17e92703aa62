"""Build our model from pycparser's AST of preprocessed, C23-rewritten text.

This is the module that reads pycparser's nodes (``chunks`` only cuts the
text and asks the parser).  It turns declarators inside out into ``model``
types, decides which GNU attribute applies to what (GCC's rules, see
``Builder.attrs``), gives implicit enumerator values explicit expressions,
and registers every tagged record, enum and typedef in a ``model.Unit``;
each distinct file-scope declaration is built once per process
(``replay``).  ``parse`` drives it.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Iterable

from pycparser import c_ast

from abicheck import model as m
from abicheck.frontend import chunks, gnu, replay
from abicheck.frontend.build_expr import INT as _INT, ExprReader
from abicheck.frontend.literal import int_literal
from abicheck.frontend.pragma import PackState
from abicheck.errors import ParseError, SourceLoc

#: Names GCC knows as types without a declaration.  The prelude declares them
#: as typedefs only so the lexer treats them as type names; ``BUILTIN`` gives
#: what they really are.
BUILTIN = {
    "__builtin_va_list": m.Scalar("__builtin_va_list", spelling="__builtin_va_list"),
    "_Float128": m.Scalar("_Float128", spelling="_Float128"),
    "__float128": m.Scalar("_Float128", spelling="__float128"),
    "_Float64x": m.Scalar("long double", spelling="_Float64x"),
    "__float80": m.Scalar("long double", spelling="__float80"),
    "_Float64": m.Scalar("double", spelling="_Float64"),
    "_Float32x": m.Scalar("double", spelling="_Float32x"),
    "_Float32": m.Scalar("float", spelling="_Float32"),
    "__uint128_t": m.Scalar("__int128", False, "__uint128_t"),
    "__ibm128": m.Scalar("long double", spelling="__ibm128"),
    "__ieee128": m.Scalar("_Float128", spelling="__ieee128"),
}
# ``_Complex _Float32`` cannot be a typedef name plus a specifier (pycparser
# rejects the mix), so gnu.rewrite spells each complex _FloatN as one name.
BUILTIN.update({gnu.complex_name(n): m.Scalar(t.kind, spelling=f"_Complex {n}", complex=True)
                for n, t in list(BUILTIN.items())
                if isinstance(t, m.Scalar) and n in gnu.FLOAT_TYPE_NAMES})


def parse_expr(text: str, typedef_names: Iterable[str] = (), loc: SourceLoc | None = None) -> m.Expr:
    """Parse a constant expression given as text (attribute arguments)."""
    t = text.strip()
    lit = _INT.match(t)
    if lit and len(t) <= 140:
        return m.Const(int_literal(t))
    # only the typedef names the text uses need declaring for the lexer
    used = set(re.findall(r"[A-Za-z_]\w*", t))
    names = sorted(n for n in used if n in typedef_names and n not in BUILTIN)
    # coordinates inside the argument point at the attribute in the header
    at = loc if loc is not None and loc.line >= 1 and not re.search(r'["\\\n]', loc.file) else None
    where = f'# {at.line - 1} "{at.file}"\n' if at else '# 1 "<attribute>"\n'
    pad = " " * (at.col - 1) if at and at.col else ""
    nodes = chunks.declarations(f'{where}char __abicheck_expr[(\n{pad}{t})];\n', (*BUILTIN, *names))
    # a text whose brackets close the bound early (``1)], y[(2``) would be
    # read as several declarators or declarations: not an expression
    if len(nodes or ()) != 1 or getattr(nodes[0], "name", None) != "__abicheck_expr":
        raise ParseError(f"cannot parse attribute argument '{t}'", loc)
    decl = nodes[0]
    try:
        # the typedef names stay references into the unit the text came from
        return Builder(frozenset(names)).expr(decl.type.dim)
    except ParseError as e:
        # "<attribute>" (no location given) is nowhere the user can look
        if e.loc is None or e.loc.file == "<attribute>":
            raise ParseError(f"{e.msg} in '{t}'", loc) from None
        raise


#: one string per file name: a unit pickles each file's name once (the
#: cache stores units), however many parses its nodes came from
_FILES: dict[str, str] = {}


def _loc(coord) -> SourceLoc | None:
    if coord is None or coord.file is None:
        return None
    return SourceLoc(_FILES.setdefault(coord.file, coord.file), coord.line or 0, coord.column or 0)


def _shifted(coord, shift: chunks.Shift) -> SourceLoc | None:
    """Where a node of a declaration parsed elsewhere (``chunks.Shift``)
    stands here; a coordinate of another file (an attribute argument read
    behind its real place) is already where it stands."""
    if coord is None or coord.file != shift.parsed_as:
        return _loc(coord)
    return SourceLoc(_FILES.setdefault(shift.file, shift.file),
                     coord.line + shift.lines if coord.line else 0, coord.column or 0)


_INT_KINDS = {
    ("char",): "char", ("short",): "short", ("short", "int"): "short", ("int",): "int",
    ("long",): "long", ("long", "int"): "long", ("long", "long"): "long long",
    ("long", "long", "int"): "long long", ("long", "long", "long"): "__int128",
    (): "int",
}


def _qualified(t: m.Type, quals: list[str] | None) -> m.Type:
    """``t`` with the ``const``/``volatile`` written on it kept for views
    that spell types (they change no layout and no comparison)."""
    if not quals:               # nearly always: no join, no replace
        return t
    q = " ".join(x for x in ("const", "volatile") if x in quals)
    if q and isinstance(t, (m.Scalar, m.Pointer, m.RecordRef, m.EnumRef, m.TypedefRef)):
        return dataclasses.replace(t, quals=q)
    return t


def _scalar(names: list[str], loc: SourceLoc | None) -> m.Scalar:
    """Map a list of type specifiers (``unsigned long int``) to a scalar."""
    spelling = " ".join(names).replace("long long long", "__int128")
    words = [n for n in names if n not in ("signed", "unsigned", "_Complex")]
    unsigned = "unsigned" in names
    cplx = "_Complex" in names
    if cplx and not words:
        words = ["double"]          # GNU C: a bare _Complex is _Complex double
    if words in (["void"], ["_Bool"], ["bool"], ["float"], ["double"], ["long", "double"]):
        kind = {"bool": "_Bool"}.get(" ".join(words), " ".join(words))
        return m.Scalar(kind, kind != "_Bool", spelling, cplx)
    key = tuple(sorted(words, key=("short", "long", "char", "int").index)) \
        if all(w in ("short", "long", "char", "int") for w in words) else None
    kind = _INT_KINDS.get(key) if key is not None else None
    if kind is None:
        raise ParseError(f"unsupported type specifiers '{' '.join(names)}'", loc)
    if kind == "char":
        # plain char's signedness is the target's (None); "signed"/"unsigned" fix it
        explicit = "signed" in names or unsigned
        return m.Scalar("char", (not unsigned) if explicit else None, spelling, cplx)
    return m.Scalar(kind, not unsigned, spelling, cplx)


class Builder(ExprReader):
    """Walks one pycparser FileAST and collects the model."""

    def __init__(self, known_typedefs: frozenset[str] = frozenset()) -> None:
        #: typedef names declared elsewhere (an attribute argument's text
        #: names typedefs of the header it came from)
        self.known = known_typedefs
        self.records: dict[tuple[str, str], m.Record] = {}
        self.enums: dict[str, m.Enum] = {}
        self.typedefs: dict[str, m.Typedef] = {}
        self.constants: dict[str, m.Enumerator] = {}
        self.pack = PackState()
        #: while a file-scope declaration is built: what it asks and registers
        self._rec: replay.Recording | None = None
        #: while a declaration parsed at another place is built: how far
        self._shift: chunks.Shift | None = None

    def build(self, ast: c_ast.FileAST) -> m.Unit:
        """The unit of ``ast`` (a ``chunks.Pieces`` says where each of its
        nodes stands when it was parsed at another place)."""
        shifts = getattr(ast, "shifts", None) or ()
        for k, node in enumerate(ast.ext):
            self._shift = shifts[k] if shifts else None
            if isinstance(node, (c_ast.Typedef, c_ast.Decl)):
                self.declaration(node)
            elif isinstance(node, c_ast.Pragma):
                self.pack.feed(node.string)
        self._shift = None
        return m.Unit.build(self.records, self.enums, self.typedefs, self.constants)

    def _loc(self, coord) -> SourceLoc | None:
        return _loc(coord) if self._shift is None else _shifted(coord, self._shift)

    # --- declarations -----------------------------------------------------

    def declaration(self, node) -> None:
        """A file-scope declaration, from the memo when it was built in the
        same context before (``replay``)."""
        if self.known:
            self._declare(node)
            return
        pack = self.pack.value
        ops = replay.find(node, pack, self.is_typedef, self._shift)
        if ops is not None:
            tables = (self.records, self.enums, self.typedefs, self.constants)
            for op in ops:
                replay.apply(*op, *tables)
            return
        rec = self._rec = replay.Recording()
        try:
            self._declare(node)
        finally:
            self._rec = None
        replay.keep(node, pack, rec, self._shift)

    def _declare(self, node) -> None:
        if isinstance(node, c_ast.Typedef):
            self.typedef(node)
        else:
            self.type_of(node.type, [])

    def register(self, op: int, key, obj) -> None:
        """Enter a record, enum, enumerator or typedef (``replay.apply``'s rules)."""
        replay.apply(op, key, obj, self.records, self.enums, self.typedefs, self.constants)
        if self._rec is not None:
            self._rec.ops.append((op, key, obj))

    def is_typedef(self, name: str, known: bool = True) -> bool:
        """Whether ``name`` is a typedef of this unit (or, with ``known``, of
        the one an attribute argument came from), noted for the declaration
        being built."""
        answer = name in self.typedefs or (known and name in self.known)
        if self._rec is not None:
            self._rec.answers.setdefault(name, answer)
        return answer

    def typedef(self, node: c_ast.Typedef) -> None:
        if node.name in BUILTIN:
            return
        attrs: list = []
        t = self.type_of(node.type, attrs)
        loc = self._loc(node.coord)
        self.register(replay.TYPEDEF, node.name, m.Typedef(node.name, t, self.attrs(attrs), loc))

    def field(self, decl: c_ast.Decl) -> m.Field:
        attrs: list = list(decl.attributes or [])
        t = self.type_of(decl.type, attrs)
        a = self.attrs(attrs)
        for al in decl.align or []:
            e = al.alignment
            v = m.AlignOf(self.type_of(e.type, [])) if isinstance(e, c_ast.Typename) else self.expr(e)
            a = a.merge(m.Attrs(aligned=v))
        bits = self.expr(decl.bitsize) if decl.bitsize is not None else None
        return m.Field(decl.name, t, bits, a, self._loc(decl.coord))

    # --- types ------------------------------------------------------------

    def function(self, node) -> m.Function:
        """A function type with its parameter types (pahole spells them in a
        function pointer's declarator); ``(void)`` is no parameter, and
        an identifier list (K&R ``f(a, b)``) declares no prototype (GCC
        warns and takes it as ``f()``)."""
        returns = self.type_of(node.type, [])
        if node.args is None or any(isinstance(p, c_ast.ID) for p in node.args.params):
            return m.Function(returns)
        params: list[m.Type] = []
        variadic = False
        for p in node.args.params:
            if isinstance(p, c_ast.EllipsisParam):
                variadic = True
                continue
            params.append(self.type_of(p.type, []))
        if len(params) == 1 and not variadic and isinstance(params[0], m.Scalar) \
                and params[0].kind == "void":
            params = []
        return m.Function(returns, tuple(params), variadic)

    def type_of(self, node, attrs: list) -> m.Type:
        """Convert a declarator chain; decl-level attributes go to ``attrs``."""
        kind = type(node)
        # the two commonest nodes (a declarator's innermost, a type name)
        # first, as the chain below takes them
        if kind is c_ast.TypeDecl:
            if node.attributes:
                attrs.extend(node.attributes)
            return _qualified(self.type_of(node.type, attrs), node.quals)
        if kind is c_ast.IdentifierType:
            names = node.names
            if len(names) == 1:
                if names[0] in BUILTIN:
                    return BUILTIN[names[0]]
                if self.is_typedef(names[0]):
                    return m.TypedefRef(names[0])
            return _scalar(names, self._loc(node.coord))
        if not isinstance(node, (c_ast.AttributedType, c_ast.Struct, c_ast.Union, c_ast.Enum)):
            attrs.extend(getattr(node, "attributes", None) or [])
        if isinstance(node, c_ast.TypeDecl):
            return _qualified(self.type_of(node.type, attrs), node.quals)
        if isinstance(node, c_ast.Typename):
            return self.type_of(node.type, attrs)
        if isinstance(node, c_ast.PtrDecl):
            # the declarator name's attributes sit on the innermost TypeDecl
            # and still belong to the declaration (GCC), so pass them on
            return _qualified(m.Pointer(self.type_of(node.type, attrs)), node.quals)
        if isinstance(node, c_ast.ArrayDecl):
            dim = self.expr(node.dim) if node.dim is not None else None
            return m.Array(self.type_of(node.type, attrs), dim)
        if isinstance(node, c_ast.FuncDecl):
            return self.function(node)
        if isinstance(node, c_ast.AttributedType):
            inner = node.type
            if isinstance(inner, (c_ast.Struct, c_ast.Union, c_ast.Enum)) and \
                    (getattr(inner, "decls", None) is not None or getattr(inner, "values", None) is not None):
                # after a closing brace: the attribute belongs to the type
                return self.tagged(inner, list(node.attributes))
            attrs.extend(node.attributes)
            return self.type_of(inner, attrs)
        if isinstance(node, (c_ast.Struct, c_ast.Union, c_ast.Enum)):
            return self.tagged(node, [])
        if isinstance(node, c_ast.TypeOf):
            # typeof(type) is that type; typeof(expression) would need C's
            # expression typing, which layouts have never needed
            if isinstance(node.expr, c_ast.Typename):
                return self.type_of(node.expr, attrs)
            raise ParseError("typeof of an expression is not supported; use a type",
                             self._loc(node.coord))
        if isinstance(node, c_ast.IdentifierType):
            names = node.names
            if len(names) == 1 and names[0] in BUILTIN:
                return BUILTIN[names[0]]
            if len(names) == 1 and self.is_typedef(names[0]):
                return m.TypedefRef(names[0])
            return _scalar(names, self._loc(node.coord))
        raise ParseError(f"unsupported declarator {type(node).__name__}", self._loc(node.coord))

    def tagged(self, node, type_attrs: list) -> m.Type:
        loc = self._loc(node.coord)
        type_attrs = list(node.attributes or []) + type_attrs
        if isinstance(node, c_ast.Enum):
            return self.enum(node, type_attrs, loc)
        kind = "struct" if isinstance(node, c_ast.Struct) else "union"
        if node.decls is None:
            if node.name:
                self.register(replay.FORWARD, (kind, node.name), m.Record(kind, node.name, None, loc=loc))
            return m.RecordRef(kind, node.name)
        fields = []
        for d in node.decls:
            if isinstance(d, c_ast.Decl):
                fields.append(self.field(d))
            elif isinstance(d, c_ast.Pragma):
                self.pack.feed(d.string)
                if self._rec is not None:
                    self._rec.pure = False      # it changes the pack state: never replayed
        rec = m.Record(kind, node.name, tuple(fields), self.attrs(type_attrs), loc,
                       self.pack.value)
        if node.name is None:
            return rec
        self.register(replay.DEFINE, (kind, node.name), rec)
        return m.RecordRef(kind, node.name)

    def enum(self, node: c_ast.Enum, type_attrs: list, loc) -> m.Type:
        if node.values is None:
            return m.EnumRef(node.name) if node.name else m.Scalar("int")
        values = []
        prev: m.Expr | None = None
        for e in node.values.enumerators:
            if e.value is not None:
                v = self.expr(e.value)
            elif prev is None:
                v = m.Const(0)
            else:
                v = m.Binary("+", prev, m.Const(1))
            en = m.Enumerator(e.name, v, self._loc(e.coord))
            self.register(replay.CONSTANT, e.name, en)
            values.append(en)
            prev = m.Ident(e.name)
        enum = m.Enum(node.name, tuple(values), self.attrs(type_attrs), loc)
        if node.name is None:
            return enum
        self.register(replay.ENUM, node.name, enum)
        return m.EnumRef(node.name)

    # --- attributes ---------------------------------------------------------

    def attrs(self, specs: list) -> m.Attrs:
        out = m.NO_ATTRS
        for spec in specs:
            for a in getattr(spec, "attributes", [spec]):
                if a.namespace not in (None, "gnu", "__gnu__"):
                    continue
                name = a.name.strip("_")
                args = a.arguments
                if isinstance(args, str):
                    args = args.strip()
                    if args.startswith("(") and args.endswith(")"):
                        args = args[1:-1].strip()
                if name == "packed":
                    out = out.merge(m.Attrs(packed=True))
                elif name == "aligned":
                    v = parse_expr(args, _Asking(self), self._loc(a.coord)) if args else m.BiggestAlignment()
                    out = out.merge(m.Attrs(aligned=v))
                elif name == "mode" and args:
                    out = out.merge(m.Attrs(mode=args.strip("_")))
                elif name == "vector_size" and args:
                    out = out.merge(m.Attrs(vector_size=parse_expr(args, _Asking(self), self._loc(a.coord))))
                elif name in ("scalar_storage_order", "ms_struct"):
                    # layouts that differ from the psABI's: refuse, never guess
                    raise ParseError(f"attribute '{name}' is not supported", self._loc(a.coord))
        return out


class _Asking:
    """The typedef names of a builder, as ``parse_expr`` asks about them
    (``name in typedef_names``): each answer is noted (``is_typedef``)."""

    __slots__ = ("builder",)

    def __init__(self, builder: Builder) -> None:
        self.builder = builder

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.builder.is_typedef(name, known=False)
