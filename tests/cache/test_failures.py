"""Headers that do not parse, remembered (abicheck.cache.failures): a warm
run reports exactly the error a run without the cache reports, without
parsing the text again; a damaged entry is ignored."""
from __future__ import annotations

import os

import pytest

from abicheck import api, cache
from abicheck.cache import failures
from abicheck.errors import AbicheckError
from abicheck.frontend import clear_memo, parse
from abicheck.targets import get_target

# an unknown type name, and before it an enum GCC rejects (undeclared constant):
# the first error is found by reading on (diagnose.first_error)
BAD = "enum e { A = NOT_DECLARED };\nstruct s { unknown_t x; };\n"


@pytest.fixture
def bad(tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "bad.h").write_text(BAD)
    clear_memo()
    yield tmp_path
    clear_memo()


@pytest.fixture
def parses(monkeypatch):
    """How many parses ran: of preprocessed text (the front end's entry)
    and of rewritten text (the diagnosis reads on with assumed names)."""
    count = [0]

    def counting(real):
        def call(*a, **k):
            count[0] += 1
            return real(*a, **k)
        return call
    monkeypatch.setattr(parse, "parse", counting(parse.parse))
    monkeypatch.setattr(parse, "parse_preprocessed", counting(parse.parse_preprocessed))
    return count


def error_of(folder, target="x86_64") -> AbicheckError:
    clear_memo()
    with pytest.raises(AbicheckError) as e:
        api.translate(["bad.h"], get_target(target), [str(folder)])
    return e.value


def test_a_warm_failure_is_the_cold_one_without_parsing(bad, parses):
    with cache.use(False):
        plain = error_of(bad)
    cold = error_of(bad)
    assert parses[0] > 0
    n = parses[0]
    warm = error_of(bad)
    assert parses[0] == n                          # nothing parsed again
    for e in (cold, warm):
        assert (type(e), str(e), e.loc) == (type(plain), str(plain), plain.loc)
    assert "NOT_DECLARED" in str(plain) and plain.loc.line == 1   # GCC's first error


def test_the_target_is_part_of_the_key(bad):
    with cache.use(False):
        plain = error_of(bad, "m68k")
    error_of(bad)
    assert str(error_of(bad, "m68k")) == str(plain)


def test_a_damaged_failure_entry_is_ignored(bad, parses):
    want = str(error_of(bad))
    root = bad / "cache" / cache.generation() / failures.KIND
    paths = [os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs]
    assert paths
    for p in paths:
        with open(p, "r+b") as f:
            f.write(b"{not json")
    n = parses[0]
    assert str(error_of(bad)) == want and parses[0] > n


def test_a_failure_under_a_tight_limit_is_not_served_under_the_default(tmp_path, monkeypatch):
    import dataclasses

    from abicheck import limits
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    # unions nested 6 deep: refused under nesting=3, fine by default
    body = "int x;"
    for _ in range(6):
        body = f"union {{ {body} }} u;"
    (tmp_path / "deep.h").write_text(f"struct s {{ {body} }};\n")
    tight = dataclasses.replace(limits.active(), nesting=3)
    for _ in range(2):
        clear_memo()
        with limits.use(tight), pytest.raises(AbicheckError, match="nest"):
            api.translate(["deep.h"], get_target("x86_64"), [str(tmp_path)])
    clear_memo()
    tr = api.translate(["deep.h"], get_target("x86_64"), [str(tmp_path)])
    got = api.layout_translation(tr, ["struct s"])[0].to_json()
    with cache.use(False):
        clear_memo()
        plain = api.translate(["deep.h"], get_target("x86_64"), [str(tmp_path)])
        assert got == api.layout_translation(plain, ["struct s"])[0].to_json()
