"""pycparser AST -> model: attributes land where GCC applies them."""
import pytest

from abicheck import model as m
from abicheck.errors import ParseError
from abicheck.frontend import gnu, parse


def unit(src: str) -> m.Unit:
    return parse.parse(gnu.rewrite(src), "t.h")


def test_attribute_after_brace_applies_to_struct_after_typedef_name_to_typedef():
    u = unit("typedef struct s { int a; } __attribute__((aligned(8))) s_t;\n"
             "typedef long long clk_t __attribute__((aligned(4)));\n")
    assert u.records[("struct", "s")].attrs.aligned == m.Const(8)
    assert u.typedefs["s_t"].attrs.aligned is None
    assert u.typedefs["clk_t"].attrs.aligned == m.Const(4)


def test_member_attributes_and_bitfields():
    u = unit("struct s { char c __attribute__((packed)); int b:3; int :0; "
             "int x __attribute__((aligned)); };")
    c, b, z, x = u.records[("struct", "s")].fields
    assert c.attrs.packed and b.bits == m.Const(3)
    assert z.name is None and z.bits == m.Const(0)
    assert x.attrs.aligned == m.BiggestAlignment()


def test_enum_implicit_values_and_constants():
    u = unit("enum e { A = 3, B, C = B + 4 };")
    assert u.constants["B"].value == m.Binary("+", m.Ident("A"), m.Const(1))
    assert u.constants["C"].value == m.Binary("+", m.Ident("B", u.constants["C"].value.left.loc),
                                              m.Const(4))


def test_integer_literals():
    assert [parse.int_literal(x) for x in ("0x10", "010", "0b11", "7UL", "0")] == [16, 8, 3, 7, 0]


def test_syntax_error_has_location():
    with pytest.raises(ParseError) as e:
        unit("struct a { int x };\n")
    assert str(e.value).startswith("t.h:1:")
    assert "error:" in str(e.value)


def test_typeof_a_type_is_that_type():
    u = unit("typedef int T; struct s { __typeof__(T) a; __typeof__(int *) b; };")
    a, b = u.records[("struct", "s")].fields
    assert a.type == m.TypedefRef("T")
    assert isinstance(b.type, m.Pointer)
