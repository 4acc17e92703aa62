"""``abicheck cache``: location and size, ``--prune`` (old generations and
stale temporary files only), ``--clear``; nothing that is not a generation
folder is ever removed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from abicheck import cache
from abicheck.cli import main


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ABICHECK_CACHE", raising=False)
    return tmp_path


def _fill(capsys) -> None:
    # a separate process: this one may hold the translation in memory and
    # write nothing
    subprocess.run([sys.executable, "-m", "abicheck", "encode", "--target", "x86_64",
                    "--format", "hex"], check=True, capture_output=True)


def _doc(capsys, *extra: str) -> dict:
    assert main(["cache", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_show_counts_what_a_run_stored(folder, capsys):
    _fill(capsys)
    doc = _doc(capsys)
    assert doc["directory"] == str(folder) and doc["current_generation"] == cache.generation()
    (gen,) = doc["generations"]
    assert gen["current"] and gen["entries"] > 0 and gen["bytes"] > 0
    assert gen["entries"] == sum(len(f) for _, _, f in os.walk(folder / cache.generation()))


def test_prune_keeps_this_generation_and_foreign_folders(folder, capsys):
    _fill(capsys)
    old = folder / "0123456789abcdef"
    (old / "units").mkdir(parents=True)
    (old / "units" / "x").write_bytes(b"old entry")
    foreign = folder / "keep-me"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not ours")
    cur = folder / cache.generation()
    stale, young = cur / ".tmp-stale", cur / ".tmp-young"
    stale.write_bytes(b"x")
    young.write_bytes(b"x")
    hour_ago = time.time() - 7200
    os.utime(stale, (hour_ago, hour_ago))
    assert main(["cache"]) == 0
    assert "(old)" in capsys.readouterr().out
    doc = _doc(capsys, "--prune")
    assert doc["removed_generations"] == ["0123456789abcdef"] and doc["removed_temporary_files"] == 1
    assert not old.exists() and (foreign / "notes.txt").exists() and cur.is_dir()
    assert not stale.exists() and young.exists()
    _fill(capsys)           # the cache still works after pruning


def test_clear_removes_every_generation(folder, capsys):
    _fill(capsys)
    (folder / "keep-me").mkdir()
    doc = _doc(capsys, "--clear")
    assert doc["removed_generations"] == [cache.generation()] and doc["generations"] == []
    assert (folder / "keep-me").is_dir()
    assert main(["cache"]) == 0
    assert "(empty)" in capsys.readouterr().out


def test_prune_and_clear_exclude_each_other(folder, capsys):
    assert main(["cache", "--prune", "--clear"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not allowed with" in err
