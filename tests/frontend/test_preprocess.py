"""Hermetic preprocessing: no host leaks, both preprocessors agree."""
import os

import pytest

from abicheck import api
from abicheck.errors import PreprocessError
from abicheck.frontend.preprocess import preprocess
from abicheck.targets import get_target

ARM64 = "/usr/aarch64-linux-gnu/include"


def test_host_macros_do_not_leak():
    src = "#ifdef __x86_64__\nint host;\n#endif\n#ifdef __aarch64__\nint target;\n#endif\n"
    pre = preprocess((), get_target("aarch64"), source=src)
    assert "target" in pre.text and "host" not in pre.text


def test_macro_table_has_locations():
    pre = preprocess((), get_target("i386"), source="\n#define FOO 3 /* three */\n")
    foo = {m.name: m for m in pre.macros}["FOO"]
    assert (foo.body, foo.loc.line) == ("3", 2)


@pytest.mark.skipif(not os.path.isdir(ARM64), reason="Debian arm64 cross headers not installed")
def test_pcpp_fallback_gives_the_same_layout(monkeypatch):
    want = api.layout_headers(["asm/siginfo.h"], ["siginfo_t"], "arm64", [ARM64])[0].to_json()
    monkeypatch.setenv("ABICHECK_CPP", "pcpp")
    from abicheck.frontend import _parse_cached
    _parse_cached.cache_clear()
    got = api.layout_headers(["asm/siginfo.h"], ["siginfo_t"], "arm64", [ARM64])[0].to_json()
    got.pop("loc"), want.pop("loc")
    assert got == want


@pytest.mark.parametrize("cpp", ["gcc", "pcpp"])
def test_missing_header_is_one_error(monkeypatch, cpp):
    if cpp == "pcpp":
        monkeypatch.setenv("ABICHECK_CPP", "pcpp")
    with pytest.raises(PreprocessError) as e:
        preprocess(["no/such.h"], get_target("x86_64"))
    assert "cannot find header" in str(e.value) and "\n" not in str(e.value)
