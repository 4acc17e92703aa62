"""Suite-wide setup.

The whole run uses one private, initially empty cache folder
(``XDG_CACHE_HOME`` in a temporary directory), set before collection
(test modules build target lists at import): the test suite never reads or
writes ~/.cache or a folder named by the environment it was started in.
Tests of the cache itself (tests/cache/) name their own folders."""
from __future__ import annotations

import os
import shutil
import tempfile

_VARS = ("XDG_CACHE_HOME", "ABICHECK_CACHE_DIR", "ABICHECK_CACHE")
_saved: dict[str, str | None] = {}
_dir: list[str] = []


def pytest_configure(config) -> None:
    _saved.update({k: os.environ.get(k) for k in _VARS})
    _dir.append(tempfile.mkdtemp(prefix="abicheck-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = _dir[0]
    os.environ.pop("ABICHECK_CACHE_DIR", None)
    os.environ.pop("ABICHECK_CACHE", None)


def pytest_unconfigure(config) -> None:
    for k, v in _saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    for d in _dir:
        shutil.rmtree(d, ignore_errors=True)
