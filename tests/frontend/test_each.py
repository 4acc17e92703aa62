"""``translate_each`` leaves nothing running behind it.

Its batched cpp runs live in worker threads; a header that failed to
parse gave an error whose traceback held ``translate_each``'s frame, and
so the batch's generator and its idle threads, for as long as the error
was kept (a tree diff keeps every failure: 15 threads were left after
bookworm -> trixie on one ABI).  The
threads must end when ``translate_each`` returns, whatever it returns."""
from __future__ import annotations

import threading

import pytest

from abicheck import cache
from abicheck.errors import AbicheckError
from abicheck.frontend import clear_memo
from abicheck.frontend.each import translate_each
from abicheck.frontend.preprocess import _gcc
from abicheck.targets import get_target

pytestmark = pytest.mark.skipif(not _gcc(), reason="needs gcc")


FAILING = {"none": {}, "cpp": {3: "#include <not/there.h>\n"},
           "parse": {2: "struct s { int v }\n"}}


@pytest.mark.parametrize("failing", list(FAILING))
def test_no_worker_thread_outlives_the_call(tmp_path, failing):
    for i in range(6):
        text = FAILING[failing].get(i, f"struct s{i} {{ int v[{i + 1}]; }};\n")
        (tmp_path / f"h{i}.h").write_text(text)
    clear_memo()
    before = threading.active_count()
    t = get_target("x86_64")
    with cache.use(False):
        got = translate_each([([f"h{i}.h"], t, [str(tmp_path)]) for i in range(6)])
    assert [isinstance(g, AbicheckError) for g in got] == [i in FAILING[failing] for i in range(6)]
    assert threading.active_count() == before
