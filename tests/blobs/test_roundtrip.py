"""encode -> decode -> encode is the identity, for every bundled revision on
every target: hypothesis draws a (signal, code) case, the member's fields
that case selects and a value for each within its width (signed or not, as
the layout says); decode must give those values back and re-encoding the
decoded fields must give the same bytes.  The field values are drawn from
the widths the layout reports, so this checks the codec is lossless; what
the bytes are is checked against gcc in test_encode_gcc.py."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blobs.cases import siginfo_cases
from abicheck import bundled
from abicheck.blobs import context, decode_fields, encode_fields
from abicheck.blobs.decode import decode
from abicheck.blobs.values import bounds
from abicheck.errors import PreprocessError
from abicheck.targets import all_targets
from abicheck.views import blob_shape as bs

SETS = bundled.header_sets()
TARGETS = all_targets()


def blob_context(hset, t):
    try:
        return context("siginfo_t", t, hset)
    except PreprocessError as e:
        if "no port" in str(e):
            pytest.skip(f"{hset} has no port to {t.name}")
        raise


def value_of(leaf) -> st.SearchStrategy:
    if leaf.bitfield is not None:
        w = leaf.bitfield.width
        return st.integers(-(1 << (w - 1)), (1 << (w - 1)) - 1) if leaf.bitfield.signed \
            else st.integers(0, (1 << w) - 1)
    n = leaf.node
    if isinstance(n, bs.Int):
        return st.integers(*bounds(n.size, n.signed))
    if isinstance(n, bs.Array) and isinstance(n.element, bs.Int):
        return st.lists(st.integers(*bounds(n.element.size, n.element.signed)),
                        min_size=n.count, max_size=n.count)
    return st.nothing()


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("hset", SETS)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_encode_decode_encode(hset, t, data):
    cx = blob_context(hset, t)
    tg = cx.tagged
    cases = [(sig, code) for sig, code, _ in siginfo_cases(t).values()
             if cx.constant(code) is not None and tg.signal_number(sig) is not None]
    sig, code = data.draw(st.sampled_from(cases))
    choice = tg.choose(tg.signal_number(sig), cx.constant(code))
    fields: dict[str, object] = {cx.display(tg.signal_path): sig, cx.display(tg.code_path): code}
    taken = [cx.leaves[tg.signal_path], cx.leaves[tg.code_path]]
    for p in choice.paths:
        for lf in cx.leaves_under(p):
            if any(lf.offset < o.offset + o.size and o.offset < lf.offset + lf.size for o in taken):
                continue            # one view of shared bytes (si_int, not also si_ptr)
            if not data.draw(st.booleans(), label=f"set {lf.path}"):
                continue
            fields[cx.display(lf.path)] = data.draw(value_of(lf), label=lf.path)
            taken.append(lf)
    blob = encode_fields("siginfo_t", t, fields, headers_set=hset)
    assert len(blob) == cx.size
    back = decode_fields(blob, "siginfo_t", t, headers_set=hset)
    for name, v in fields.items():
        if name in (cx.display(tg.signal_path), cx.display(tg.code_path)):
            continue
        assert back[name] == v, name
    assert back[cx.display(tg.code_path)] == cx.constant(code)
    assert encode_fields("siginfo_t", t, back, headers_set=hset) == blob
    # the JSON view carries each field's own bytes
    for f in decode(cx, blob).to_json()["fields"]:
        assert bytes.fromhex(f["bytes"]) == blob[f["offset"]:f["offset"] + f["size"]]
