"""``--shard K/N`` and ``abicheck merge``: the split, and the refusals.

Merging is refused, with one line on stderr and exit 2, when a shard is
missing or given twice, when the shards come from different runs (another
command, other options, another number of shards) and when a file is not a
shard result.  (That a complete set merges to the single run's report is
``tests/runs/test_shard_merge.py``.)"""
from __future__ import annotations

import json
import time

import pytest

from abicheck import shard
from abicheck.cli import main
from abicheck.errors import UsageError

ARGV = ["check", "--headers", "pkeys-v1", "-t", "x86_64,i386,arm,mips,s390x"]


def test_round_robin_covers_every_item_once():
    for total in range(0, 12):
        for n in range(1, 7):
            got = sorted(i for k in range(1, n + 1) for i in shard.indexes(total, k, n))
            assert got == list(range(total))
            sizes = [len(shard.indexes(total, k, n)) for k in range(1, n + 1)]
            assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "1", "1/0", "-1/2", "1/2/3", ""])
def test_bad_shard_spec(text):
    with pytest.raises(UsageError):
        shard.parse(text)


def test_bad_shard_option_is_one_line_exit_2(capsys):
    assert main(ARGV + ["--shard", "5/4"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and "--shard '5/4'" in out.err


@pytest.fixture
def shards(tmp_path):
    def make(argv, n, tag):
        paths = []
        for k in range(1, n + 1):
            p = tmp_path / f"{tag}-{k}.json"
            assert main(argv + ["--shard", f"{k}/{n}", "-o", str(p)]) == 0
            paths.append(str(p))
        return paths
    return make


def _refused(capsys, argv, *words):
    assert main(argv) == 2
    out = capsys.readouterr()
    assert out.out == "", "nothing on stdout"
    assert out.err.count("\n") == 1, out.err
    for w in words:
        assert w in out.err, out.err
    return out.err


def test_the_document_says_which_shard_of_which_run(shards):
    a, b, c = shards(ARGV, 3, "a")
    docs = [json.load(open(p)) for p in (a, b, c)]
    assert [(d["of"], d["shard"], d["shards"], d["items"]) for d in docs] == \
        [("check", k, 3, 5) for k in (1, 2, 3)]
    assert len({d["job"] for d in docs}) == 1
    assert [[x["key"] for x in d["pieces"]] for d in docs] == \
        [["x86_64", "mips"], ["i386", "s390x"], ["arm"]]


def test_missing_shard(shards, capsys):
    a, b, c = shards(ARGV, 3, "a")
    _refused(capsys, ["merge", a, c], "shard 2 of 3 missing")
    _refused(capsys, ["merge", a], "shards 2, 3 of 3 missing")
    _refused(capsys, ["merge"], "merge needs")


def test_shard_given_twice(shards, capsys):
    a, b = shards(ARGV, 2, "a")
    _refused(capsys, ["merge", a, b, a], "shard 1/2 given twice")


def test_shards_of_different_runs(shards, capsys):
    a1, a2 = shards(ARGV, 2, "a")
    b1, b2 = shards(ARGV[:-1] + ["x86_64,i386,arm,mips,sparc64"], 2, "b")   # other targets
    _refused(capsys, ["merge", a1, b2], "another run")
    c1, c2, c3 = shards(ARGV, 3, "c")
    _refused(capsys, ["merge", a1, c2, c3], "3 shards")
    d1, d2 = shards(["check", "--headers", "pkeys-v1", "--exit-zero", "-t", ARGV[-1]], 2, "d")
    _refused(capsys, ["merge", a1, d2], "another run")
    e1, e2 = shards(["layout", "headers/linux-6.6/asm/siginfo.h", "-I", "headers/linux-6.6",
                     "-t", ARGV[-1], "--type", "siginfo_t"], 2, "e")
    _refused(capsys, ["merge", a1, e2], "'abicheck layout'", "'abicheck check'")


def test_not_a_shard(shards, tmp_path, capsys):
    a1, a2 = shards(ARGV, 2, "a")
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  \"command\": \"shard\",\n  oops\n}\n")
    _refused(capsys, ["merge", a1, str(bad)], f"{bad}:3:3: error: not a shard result")
    report = tmp_path / "report.json"
    assert main(ARGV + ["--format", "json", "-o", str(report)]) == 1
    _refused(capsys, ["merge", a1, str(report)], "not a shard result")
    _refused(capsys, ["merge", a1, str(tmp_path / "absent.json")], "cannot read")


def test_edited_shard(shards, tmp_path, capsys):
    a1, a2 = shards(ARGV, 2, "a")
    doc = json.load(open(a2))
    doc["pieces"].pop()
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(doc))
    _refused(capsys, ["merge", a1, str(cut)], "does not hold the items")


def test_merge_format_must_be_the_commands(shards, capsys):
    e1, = shards(["layout", "headers/linux-6.6/asm/siginfo.h", "-I", "headers/linux-6.6",
                  "--type", "siginfo_t"], 1, "e")
    _refused(capsys, ["merge", e1, "--format", "sarif"], "no format 'sarif'")


def test_merge_exit_status_is_the_single_runs(shards, tmp_path):
    """check fails on pkeys-v1 (exit 1), --exit-zero makes it 0; the merge of
    each gives the same."""
    assert main(ARGV) == 1
    assert main(["merge", *shards(ARGV, 2, "a"), "-o", str(tmp_path / "m")]) == 1
    zero = ARGV + ["--exit-zero"]
    assert main(["merge", *shards(zero, 2, "z"), "-o", str(tmp_path / "z")]) == 0


def test_a_piece_edited_by_hand(shards, tmp_path, capsys):
    a1, a2 = shards(ARGV, 2, "a")
    doc = json.load(open(a2))
    doc["pieces"][0]["piece"] = {"results": [["only", "three", "fields"]]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    err = _refused(capsys, ["merge", a1, str(bad)], "shard results are malformed", f"{bad}:")
    assert not any(t in err for t in PYTHON_TYPES), err


PYTHON_TYPES = ("TypeError", "KeyError", "IndexError", "ValueError", "AttributeError", "str",
                "int", "dict", "list", "NoneType")


@pytest.mark.parametrize("piece", [5, "text", None, [], {"results": 7}, {"results": [None]}])
def test_a_wrong_typed_piece_names_its_file(shards, tmp_path, capsys, piece):
    a1, a2 = shards(ARGV, 2, "a")
    doc = json.load(open(a2))
    doc["pieces"][-1]["piece"] = piece
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    err = _refused(capsys, ["merge", a1, str(bad)], f"{bad}:", "malformed")
    assert not any(w in err.split(": error: ", 1)[1] for w in PYTHON_TYPES), err


def test_keys_or_options_edited_in_every_shard_are_refused(shards, tmp_path, capsys):
    """The job id is recomputed: editing every shard alike is no way round it."""
    a1, a2 = shards(ARGV, 2, "a")
    docs = [json.load(open(p)) for p in (a1, a2)]
    docs[0]["pieces"][0]["key"] = "sparc64"
    keyed = [_write(tmp_path, f"k{i}.json", d) for i, d in enumerate(docs)]
    _refused(capsys, ["merge", *keyed], "job id")
    docs = [json.load(open(p)) for p in (a1, a2)]
    for d in docs:
        d["context"]["exit_zero"] = not d["context"].get("exit_zero")
    opted = [_write(tmp_path, f"o{i}.json", d) for i, d in enumerate(docs)]
    _refused(capsys, ["merge", *opted], "job id")
    docs = [json.load(open(p)) for p in (a1, a2)]
    docs[1]["context"]["edited"] = 1
    one = [_write(tmp_path, f"e{i}.json", d) for i, d in enumerate(docs)]
    _refused(capsys, ["merge", *one], one[1], "other options")


def _write(tmp_path, name, doc):
    out = tmp_path / name
    out.write_text(json.dumps(doc))
    return str(out)


@pytest.mark.parametrize("text", ["1/10001", "\u0661/\u0662", "1/\uff12", "1/99999999999"])
def test_shard_spec_bounded_and_ascii(text):
    with pytest.raises(UsageError):
        shard.parse(text)
    assert shard.parse(f"1/{shard.MAX_SHARDS}") == (1, shard.MAX_SHARDS)


def test_count_is_len_of_indexes():
    for total in range(0, 15):
        for n in range(1, 7):
            for k in range(1, n + 1):
                assert shard.count(total, k, n) == len(shard.indexes(total, k, n))


def _edit(path, tmp_path, name, **fields):
    doc = json.load(open(path))
    doc.update(fields)
    out = tmp_path / name
    out.write_text(json.dumps(doc))
    return str(out)


def test_huge_counts_are_refused_fast(shards, tmp_path, capsys):
    """An edited document claiming 10**9 items or a huge shard count is
    refused in one line, at once (no listing of items or shards)."""
    a1, a2 = shards(ARGV, 2, "a")
    big1 = _edit(a1, tmp_path, "big1.json", items=10**9)
    big2 = _edit(a2, tmp_path, "big2.json", items=10**9)
    t = time.monotonic()
    _refused(capsys, ["merge", big1, big2], "does not hold the items")
    many = _edit(a1, tmp_path, "many.json", shards=shard.MAX_SHARDS)
    _refused(capsys, ["merge", many], f"of {shard.MAX_SHARDS} missing", "...")
    huge = _edit(a1, tmp_path, "huge.json", shards=10**12)
    _refused(capsys, ["merge", huge], "malformed")
    boolean = _edit(a1, tmp_path, "bool.json", shard=True)
    _refused(capsys, ["merge", boolean, a2], "malformed")
    assert time.monotonic() - t < 5


@pytest.mark.parametrize("value", ["", " ", "\u0661/\u0662"])
def test_empty_or_unicode_shard_option_is_refused(capsys, value):
    """``--shard ''`` is not 'no shard': before, it ran the whole check."""
    assert main(ARGV + ["--shard", value]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and "expected K/N" in out.err
