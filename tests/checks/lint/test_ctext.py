"""ctext: what is a comment, what is code, which lines are kernel-only."""
from __future__ import annotations

import pytest

from abicheck.checks.lint.ctext import scan


def test_block_comment_across_lines_and_its_place():
    sc = scan("int a; /* one\n * two */ int b;\n")
    (c,) = sc.comments
    assert (c.line, c.col, c.end_line) == (1, 8, 2)
    assert c.words() == "one two"
    assert sc.code.count("\n") == 2 and "one" not in sc.code and "int b;" in sc.code
    assert len(sc.code) == len(sc.text)


@pytest.mark.parametrize("text, comments", [
    pytest.param('char *s = "/* not a comment */";\n', [], id="comment-opener-in-string"),
    pytest.param("char c = '/'; /* real */\n", [" real "], id="slash-char-literal"),
    pytest.param('char *s = "a\\"/*b";  // tail\n', [" tail"], id="escaped-quote"),
    pytest.param("// one \\\ncontinued\nint x;\n", [" one  continued"], id="line-continuation"),
    pytest.param("#include \"a//b.h\"\n#include <c/*d.h> /* e */\n", [" e "], id="include-name"),
    pytest.param("/* unterminated\nint x;\n", [" unterminated\nint x;\n"], id="unterminated"),
])
def test_comment_tokens(text, comments):
    assert [c.text for c in scan(text).comments] == comments


def test_literal_contents_are_blanked_but_include_names_kept():
    sc = scan('#include "foo.h"\nchar *s = "u32";\n')
    assert '"foo.h"' in sc.code and "u32" not in sc.code


def test_kernel_only_branches():
    text = ("#ifdef __KERNEL__\nk1\n#else\nu1\n#endif\n"
            "#ifndef __KERNEL__\nu2\n#else\nk2\n#endif\n"
            "#if defined(__KERNEL__)\nk3\n#elif X\nu3\n#endif\n"
            "#ifdef X\n#ifdef __KERNEL__\nk4\n#endif\nu4\n#endif\n")
    sc = scan(text)
    lines = text.split("\n")
    kernel = {lines[n - 1] for n in sc.kernel_only}
    assert kernel == {"k1", "k2", "k3", "k4"}
