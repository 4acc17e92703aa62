"""Constant expressions as pycparser's parser reads them, for ``fastdecl``:
the base of its reader (the token cursor, the scope questions, the
expressions of array bounds, bit-field widths and enumerator values),
each node built as pycparser builds it (a ``UnaryOp`` at its operand, a
``BinaryOp`` at its left operand, a ``TernaryOp`` at its condition, a
``Cast`` at its parenthesis, ``sizeof`` at the keyword, a parenthesized
expression as the expression inside).  Not read (``Bail``): postfix
operators (calls, subscripts, members, ``++``), assignments, commas,
``_Alignof``, compound literals, a typedef name as an operand."""
from __future__ import annotations

from pycparser import c_ast
from pycparser.c_parser import Coord

from abicheck.frontend import fastlex
from abicheck.frontend.fastlex import Token

_PREC = {"||": 0, "&&": 1, "|": 2, "^": 3, "&": 4, "==": 5, "!=": 5, "<": 6, ">": 6, "<=": 6,
         ">=": 6, "<<": 7, ">>": 7, "+": 8, "-": 8, "*": 9, "/": 9, "%": 9}
DEPTH = 40                 # nesting (parentheses, bodies) beyond which pycparser is asked


class Bail(Exception):
    """Not a declaration read here."""


class Cursor:
    """The tokens, where the reader stands, the file scope it asks."""

    __slots__ = ("t", "i", "outer", "own", "depth", "names")

    def __init__(self, toks: list[Token], outer: dict, names: dict) -> None:
        self.t = toks
        self.i = 0
        self.outer = outer
        self.names = names          # the names asked about (the identifiers, and more)
        self.own: dict[str, bool] = {}
        self.depth = 0

    def coord(self, tok: Token) -> Coord:
        return Coord(tok[4], tok[2], tok[3])

    def expect(self, kind: str) -> Token:
        tok = self.t[self.i]
        if tok[0] != kind:
            raise Bail
        self.i += 1
        return tok

    def is_type(self, name: str) -> bool:
        own = self.own
        return bool(own[name] if name in own else self.outer.get(name))

    def attrs(self) -> list:
        out = []
        while self.t[self.i][0] == "ATTR":
            out.append(self.t[self.i][1])
            self.i += 1
        return out

    def starts_declaration(self, tok: Token) -> bool:
        k = tok[0]
        return k in ("Q", "T", "su", "enum", "typedef", "S", "F", "ATTR") or (k == "ID" and self.is_type(tok[1]))

    def starts_type_name(self, tok: Token) -> bool:
        k = tok[0]
        if k in ("typedef", "ATTR"):
            raise Bail          # a compound literal's storage class, an attribute: pycparser's
        return k in ("Q", "T", "su", "enum") or (k == "ID" and self.is_type(tok[1]))

    def type_name(self) -> c_ast.Typename:
        """The type name of a cast or ``sizeof``: the declaration reader's."""
        raise NotImplementedError

    def conditional(self) -> c_ast.Node:
        cond = self.binary(0)
        if self.t[self.i][0] != "?":
            return cond
        self.i += 1
        iftrue = self.nested(self.conditional)
        self.expect(":")
        return c_ast.TernaryOp(cond, iftrue, self.nested(self.conditional), cond.coord)

    def binary(self, least: int) -> c_ast.Node:
        lhs = self.cast()
        while True:
            op = self.t[self.i][0]
            prec = _PREC.get(op)
            if prec is None or prec < least:
                return lhs
            self.i += 1
            lhs = c_ast.BinaryOp(op, lhs, self.binary(prec + 1), lhs.coord)

    def cast(self) -> c_ast.Node:
        tok = self.t[self.i]
        if tok[0] == "(" and self.starts_type_name(self.t[self.i + 1]):
            self.i += 1
            typ = self.nested(self.type_name)
            self.expect(")")
            if self.t[self.i][0] == "{":
                raise Bail
            return c_ast.Cast(typ, self.nested(self.cast), self.coord(tok))
        return self.unary()

    def nested(self, read):
        self.depth += 1
        if self.depth > DEPTH:
            raise Bail
        node = read()
        self.depth -= 1
        return node

    def unary(self) -> c_ast.Node:
        tok = self.t[self.i]
        k = tok[0]
        if k in ("-", "+", "~", "!", "&", "*"):
            self.i += 1
            expr = self.nested(self.cast)
            return c_ast.UnaryOp(k, expr, expr.coord)
        if k == "sizeof":
            self.i += 1
            if self.t[self.i][0] == "(" and self.starts_type_name(self.t[self.i + 1]):
                self.i += 1
                typ = self.nested(self.type_name)
                self.expect(")")
                if self.t[self.i][0] == "{":
                    raise Bail
                return c_ast.UnaryOp(tok[1], typ, self.coord(tok))
            return c_ast.UnaryOp(tok[1], self.nested(self.unary), self.coord(tok))
        self.i += 1
        if k == "ID":
            if self.is_type(tok[1]):
                raise Bail
            expr: c_ast.Node = c_ast.ID(tok[1], self.coord(tok))
        elif k == "NUM":
            expr = c_ast.Constant(fastlex.int_type(tok[1]), tok[1], self.coord(tok))
        elif k == "CHAR":
            expr = c_ast.Constant("char", tok[1], self.coord(tok))
        elif k == "BOOL":
            expr = c_ast.Constant("bool", tok[1], self.coord(tok))
        elif k == "(":
            expr = self.nested(self.conditional)
            self.expect(")")
        else:
            raise Bail
        if self.t[self.i][0] in ("(", "["):
            raise Bail              # a call, a subscript
        return expr
