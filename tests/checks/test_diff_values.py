"""The diff's macro values (``diff_snapshot.macro_value``: expression parses
shared across units, calls known to have no value without a parse) against
``MacroTable.get`` (every other command's path), macro by macro over real
uapi headers on several ABIs."""
from __future__ import annotations

import glob
import os
import re

import pytest

from abicheck import api
from abicheck.checks import diff_snapshot
from abicheck.frontend.literal import literal_value
from abicheck.frontend.macros import MacroTable
from abicheck.layout import Layouter
from abicheck.targets import get_target
from debian_headers import include_dirs


@pytest.mark.parametrize("name", ("x86_64", "aarch64", "mips"))
def test_every_macro_has_the_value_and_path_macro_table_gives(name):
    t = get_target(name)
    dirs = include_dirs(t)
    if dirs is None:
        pytest.skip(f"no Debian cross headers for {name}")
    linux = next(os.path.join(d, "linux") for d in dirs if os.path.isdir(os.path.join(d, "linux")))
    headers = sorted(glob.glob(os.path.join(linux, "*.h")))[3::15]
    jobs = [([h], t, dirs) for h in headers]
    parsed = calls = 0
    for tr in api.translate_each(jobs):
        if isinstance(tr, Exception):
            continue
        lay = Layouter(tr.unit, tr.target)
        table = MacroTable(tr, lay)
        for d in tr.macros:
            if d.params is not None or d.loc.file.startswith("<"):
                continue
            mac = table.get(d.name)
            text = mac.expansion
            got = diff_snapshot.macro_value(text, tr.unit, lay) if text else None
            assert got == mac.value, (d.name, text)
            path = re.sub(r"\s+", "", text) if text and diff_snapshot._PATH.match(text) else None
            assert path == mac.path, (d.name, text)
            if text and literal_value(text) is None:
                rewritten = diff_snapshot._rewritten(text)
                if rewritten is not None and diff_snapshot._calls(rewritten, tr.unit):
                    calls += 1
                elif got is not None:
                    parsed += 1
    # the shortcuts are exercised: values that needed the parser, calls skipped
    assert parsed > 20 and calls > 0, (parsed, calls)
