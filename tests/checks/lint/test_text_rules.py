"""Text rules (ABI301-ABI303): a failing and a passing fixture each.  The
expected places are found in the fixture's own text (no compiler sees
comments), never pasted numbers."""
from __future__ import annotations

import pytest

from abicheck.checks.lint.text_rules import NEAR_IDENTICAL, _normal, group_of

from .lintkit import fixture, hits, place


def expect(path, *needles):
    """(line, col) of each (needle, nth, at) in the fixture."""
    return [place(path, n, k, a) for n, k, a in needles]


@pytest.mark.parametrize("rule_id, name, needles", [
    pytest.param("ABI301", "leftover-marker",
                 [("TODO: decide", 0, None), ("FIXME", 0, None), ("XXX", 0, None),
                  ("TODO ia64", 0, None)], id="ABI301"),
    pytest.param("ABI302", "copied-comment",
                 [("SEGV_PKUERR", 0, None), ("BUS_OBJERR", 0, None)], id="ABI302"),
    pytest.param("ABI303", "kernel-internal-type",
                 [("u32 pkey", 0, None), ("s64 offset", 0, None), ("u64)", 0, None)], id="ABI303"),
])
def test_bad_fixture_hits_where_the_text_says(rule_id, name, needles):
    bad = fixture(name, "bad")
    got = hits(rule_id, bad)
    assert [(ln, col) for ln, col, _, _ in got] == expect(bad, *needles)
    assert all(t == () for *_, t in got)          # text findings hold whatever the target


@pytest.mark.parametrize("rule_id, name", [("ABI301", "leftover-marker"),
                                           ("ABI302", "copied-comment"),
                                           ("ABI303", "kernel-internal-type")])
def test_good_fixture_is_clean(rule_id, name):
    assert hits(rule_id, fixture(name, "good")) == []


def test_marker_message_quotes_the_question():
    (_, _, msg, _), *_ = [h for h in hits("ABI301", fixture("leftover-marker", "bad"))
                          if "FIXME" in h[2]]
    assert msg == "FIXME left in an exported header: 'is 32 bits right?'"


def test_copied_comment_names_the_earlier_code():
    msgs = [m for _, _, m, _ in hits("ABI302", fixture("copied-comment", "bad"))]
    assert msgs[0] == "SEGV_PKUERR's comment repeats SEGV_BNDERR's: 'failed address bound checks'"


@pytest.mark.parametrize("a, b, same", [
    ("failed address bound checks", "failed address bound checks", True),
    ("failed address bound check", "Failed address bound checks.", True),
    ("failed address bound checks", "failed protection key checks", False),
    ("effective uid", "effective gid", False),
    ("Do not update access times.", "Do not update directory access times", False),
    ("(int *)UADDR2 += OPARG;", "(int *)UADDR2 |= OPARG;", False),
])
def test_near_identical_threshold(a, b, same):
    import difflib
    ratio = difflib.SequenceMatcher(None, _normal(a), _normal(b)).ratio()
    assert (ratio >= NEAR_IDENTICAL) is same, ratio


@pytest.mark.parametrize("name, group", [("SEGV_PKUERR", "SEGV"), ("__SEGV_PSTKOVF", "SEGV"),
                                         ("ATM_L2_HDLC_NRM", "ATM_L2_HDLC"), ("NSIGSEGV", None)])
def test_code_groups(name, group):
    assert group_of(name) == group


def test_kernel_type_message_names_the_uapi_spelling():
    msgs = [m for _, _, m, _ in hits("ABI303", fixture("kernel-internal-type", "bad"))]
    assert msgs[0] == "kernel-internal type 'u32' in a uapi header; use '__u32'"
