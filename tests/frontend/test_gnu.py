"""The GNU -> C23 rewrite keeps attributes and line numbers."""
import pytest

from abicheck.frontend import gnu


@pytest.mark.parametrize("src, expected", [
    pytest.param("struct s { int a; } __attribute__((packed));",
                 "struct s { int a; } [[gnu::packed]];", id="packed-after-brace"),
    pytest.param("int x __attribute__ ((__aligned__ (8), unused));",
                 "int x [[gnu::aligned(8)]];", id="aligned-underscored"),
    pytest.param("int x __attribute__((aligned(__alignof__(long))));",
                 "int x [[gnu::aligned(alignof(long))]];", id="alignof-in-args"),
    pytest.param("__extension__ typedef __signed__ long long s64;",
                 " typedef signed long long s64;", id="extension-signed"),
    pytest.param("extern int f (int) __asm__ (\"\" \"g\");",
                 "extern int f (int) ;", id="asm-rename"),
    pytest.param("typedef unsigned __int128 u128;",
                 "typedef unsigned long long long u128;", id="int128"),
    pytest.param("int y __attribute__(());", "int y ;", id="empty-attribute"),
    # glibc's byte-swap helpers and fortify wrappers: GCC takes attributes
    # between declaration specifiers, C23 does not; none of them is layout
    pytest.param("static __inline __attribute__((__always_inline__)) int f (int);",
                 "static inline  int f (int);", id="always-inline-between-specifiers"),
    pytest.param("extern void e (int, ...) __attribute__ ((__format__ (__printf__, 1, 2)));",
                 "extern void e (int, ...) ;", id="format-dropped"),
])
def test_rewrite(src, expected):
    assert gnu.rewrite(src) == expected


def test_function_bodies_are_stripped_but_records_kept():
    src = ("static inline int f(int x) {\n asm volatile(\"\" : : \"r\"(x));\n return x; }\n"
           "struct s { int a; };\nint g(void) __attribute__((pure)) { return 0; }\n")
    out = gnu.rewrite(src)
    assert "asm" not in out and "return" not in out
    assert "struct s { int a; };" in out
    assert out.count("\n") == src.count("\n"), "line numbers must survive"


def test_multiline_attribute_keeps_newlines():
    src = "struct s {\n int a __attribute__((\n aligned(8)\n ));\n};\n"
    out = gnu.rewrite(src)
    assert out.count("\n") == src.count("\n")
    assert "[[gnu::aligned(8)]]" in out


def test_strings_are_not_rewritten():
    src = 'char *p = "__attribute__((packed))";'
    assert gnu.rewrite(src) == src
