"""The model expression of a pycparser expression node: what array bounds,
bit-field widths, enumerator values and attribute arguments say.

Apart from ``builder`` because it is the one part of the build that reads
expression nodes; ``Builder`` takes it as a base (a cast or ``sizeof``
needs the builder's types, ``type_of``, and every location its ``_loc``).
"""
from __future__ import annotations

import re

from pycparser import c_ast

from abicheck import model as m
from abicheck.errors import ParseError
from abicheck.frontend.literal import char_literal, int_literal

#: an integer constant pycparser hands on as one token
INT = re.compile(r"^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$")


class ExprReader:
    """``expr``, for a class that has ``type_of(node, attrs)`` and ``_loc(coord)``."""

    def expr(self, node) -> m.Expr:
        loc = self._loc(getattr(node, "coord", None))
        if isinstance(node, c_ast.Constant):
            v = node.value
            if node.type == "char" or v.startswith("'"):
                try:
                    return m.Const(char_literal(v))
                except (KeyError, ValueError, TypeError, IndexError):
                    raise ParseError(f"unsupported character constant {v}", loc) from None
            if INT.match(v):
                if len(v) > 140:        # more than 128 bits in any base
                    raise ParseError("integer constant is too large for its type", loc)
                return m.Const(int_literal(v))
            raise ParseError(f"'{v}' is not an integer constant", loc)
        if isinstance(node, c_ast.ID):
            return m.Ident(node.name, loc)
        if isinstance(node, c_ast.UnaryOp):
            if node.op == "sizeof":
                if isinstance(node.expr, c_ast.Typename):
                    return m.SizeOf(self.type_of(node.expr, []))
                raise ParseError("sizeof of an expression is not supported; use a type", loc)
            if node.op in ("alignof", "_Alignof"):
                return m.AlignOf(self.type_of(node.expr, []), preferred=node.op == "alignof")
            return m.Unary(node.op, self.expr(node.expr))
        if isinstance(node, c_ast.BinaryOp):
            return m.Binary(node.op, self.expr(node.left), self.expr(node.right))
        if isinstance(node, c_ast.TernaryOp):
            return m.Cond(self.expr(node.cond), self.expr(node.iftrue), self.expr(node.iffalse))
        if isinstance(node, c_ast.Cast):
            return m.Cast(self.type_of(node.to_type, []), self.expr(node.expr))
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) \
                and node.name.name == "offsetof":
            typ, member = node.args.exprs
            return m.OffsetOf(self.type_of(typ, []), tuple(_designator(member, self._loc)))
        raise ParseError(f"unsupported constant expression ({type(node).__name__})", loc)


def _designator(node, loc_of) -> list[str]:
    if isinstance(node, c_ast.ID):
        return [node.name]
    if isinstance(node, c_ast.StructRef):
        return _designator(node.name, loc_of) + [node.field.name]
    raise ParseError("unsupported offsetof member designator", loc_of(getattr(node, "coord", None)))
