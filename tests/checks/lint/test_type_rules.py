"""ABI310 (checks/lint/type_rules.py): members declared with C integer types.

The members the rule names are the fixture's C-typed ones (by hand: what the
declaration says); the ABIs it holds on and the widths it quotes come from
the compilers: every ABI whose oracle lays the record out, and ``long``'s
sizes as each compiler measures them.
"""
from __future__ import annotations

import pytest

from . import lint_oracle as lo

pytestmark = pytest.mark.oracle


def test_c_typed_members_are_reported_on_every_abi_with_the_measured_widths():
    lays = lo.measured(lo.text("ABI310", "bad.h"), ("struct pkey_fault",))
    hits = {s: (ts, msg) for s, ts, msg, _ in lo.lint(lo.fixture("ABI310", "bad.h"), "ABI310")}
    assert set(hits) == {"struct pkey_fault._pkey", "struct pkey_fault.addr",
                         "struct pkey_fault.tag", "struct pkey_fault.kind"}
    for subject, (ts, msg) in hits.items():
        assert ts == set(lays), subject
    sizes = {}
    for t, lay in lays.items():
        sizes.setdefault(next(m["size"] for m in lay["struct pkey_fault"]["members"]
                              if m["path"] == "addr"), set()).add(t)
    assert len(sizes) == 2, sizes           # the compilers: long has two widths
    msg = hits["struct pkey_fault.addr"][1]
    for w in sizes:
        assert f"{w} bytes on" in msg
    assert "declared int" in hits["struct pkey_fault._pkey"][1]
    assert "plain char" in hits["struct pkey_fault.tag"][1]
    assert "enum pkey_kind" in hits["struct pkey_fault.kind"][1]


def test_fixed_width_members_and_strings_pass():
    assert lo.lint(lo.fixture("ABI310", "good.h"), "ABI310") == []


def test_the_seed_int_pkey_is_reported():
    # the seed's first point: "Please use our ABI types - this one should be 'u32'"
    hits = lo.bundled_hits("pkeys-v1", "ABI310")
    pkey = [h for h in hits if h.measured == "struct siginfo._sifields._sigfault._pkey"]
    assert len(pkey) == 1, [h.measured for h in hits]
    f = pkey[0]
    assert "declared int" in f.message and "fixed-width" in f.message
    header = lo.os.path.join(lo.REPO, "headers/pkeys-v1/asm-generic/siginfo.h")
    assert f.loc.line == lo.line_of(header, "int _pkey;")
    assert str(f.loc.file).endswith("asm-generic/siginfo.h")
    assert f.severity == "warning" and len(f.targets) == len(lo.all_targets())
