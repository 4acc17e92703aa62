"""Bad scenarios: one line ``file: json.path: error: ...`` on stderr, exit 2,
nothing on stdout (the issue's "Bad input"); and what is NOT bad input: an
op the kernel would fail returns its errno."""
from __future__ import annotations

import json

import pytest

from abicheck.cli import main
from fault.helpers import EINVAL, access, alloc, mmap, pkey_mprotect


def _cli(tmp_path, capsys, scen, *args, raw=None):
    p = tmp_path / "scen.json"
    p.write_text(raw if raw is not None else json.dumps(scen))
    code = main(["simulate", str(p), *args])
    out, err = capsys.readouterr()
    return code, out, err, str(p)


BAD = [
    pytest.param({"ops": [{"op": "mmap", "addr": "0x10000000", "prot": "rw"}]}, (),
                 "ops[0]", "'length' is a required property", id="schema-missing-field"),
    pytest.param({"ops": [{"op": "mmap", "addr": "0x10000000", "length": 4096, "prot": "wr"}]},
                 (), "ops[0].prot", "does not match", id="schema-prot-letters"),
    pytest.param({"ops": [{"op": "frobnicate"}]}, (), "ops[0].op", "is not one of",
                 id="schema-unknown-op"),
    pytest.param({"ops": [{"op": "access", "access": "read", "addr": "10000x"}]}, (),
                 "ops[0].addr", "expected an integer or a '0x...' string", id="schema-address"),
    pytest.param({"ops": [mmap("0x10000000", 8192, "rw"), mmap("0x10001000", 4096, "r")]}, (),
                 "ops[1].addr", "overlaps the mapping [0x10000000, 0x10002000)",
                 id="overlapping-fixed-mappings"),
    pytest.param({"ops": [access("read", "0x100000000")]}, ("--target", "i386"),
                 "ops[0].addr", "does not fit i386's 32-bit pointers", id="address-out-of-range"),
    pytest.param({"ops": [mmap("0x10000000", 4096, "rw"), pkey_mprotect("0x10000000", 4096,
                                                                        "rw", 5)]}, (),
                 "ops[1].pkey", "key 5 was never allocated", id="never-allocated-key"),
    pytest.param({"ops": [{"op": "pkey_free", "pkey": 3}]}, (), "ops[0].pkey",
                 "key 3 was never allocated", id="never-allocated-free"),
    pytest.param({"ops": [{"op": "wrpkru", "value": 0}]}, ("--target", "aarch64"), "ops[0].op",
                 "aarch64 has no wrpkru", id="op-the-arch-lacks"),
    pytest.param({"ops": [{"op": "wramr", "value": 0}]}, (), "ops[0].op",
                 "x86_64 has no wramr (its key register op is wrpkru)", id="other-arch-register"),
    pytest.param({"ops": [{"op": "wrpkru", "value": "0x100000000"}]}, (), "ops[0].value",
                 "does not fit the 32-bit PKRU", id="register-width"),
]


@pytest.mark.parametrize("scen,args,path,msg", BAD)
def test_bad_scenario_is_one_line_with_file_and_path(tmp_path, capsys, scen, args, path, msg):
    code, out, err, f = _cli(tmp_path, capsys, scen, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"{f}: {path}: error: "), err
    assert msg in err


def test_not_json_names_line_and_column(tmp_path, capsys):
    code, out, err, f = _cli(tmp_path, capsys, None, raw='{"ops": [\n  {"op": }]}')
    assert code == 2 and out == "" and err.startswith(f"{f}:2:") and "not JSON" in err


def test_unknown_kernel_and_target_are_usage_errors(tmp_path, capsys):
    code, out, err, _ = _cli(tmp_path, capsys, {"ops": [access("read", 0)]}, "--target", "vax")
    assert code == 2 and out == "" and err.count("\n") == 1
    code, out, err, f = _cli(tmp_path, capsys, {"kernel": "5.4", "ops": [access("read", 0)]})
    assert code == 2 and out == "" and err.startswith(f"{f}: kernel: error:")


def test_freed_key_is_an_einval_result_not_an_error(tmp_path, capsys):
    # mm/mprotect.c do_mprotect_pkey: !mm_pkey_is_allocated(pkey) -> -EINVAL
    scen = {"ops": [mmap("0x10000000", 4096, "rw"), alloc("none"), {"op": "pkey_free", "pkey": 1},
                    pkey_mprotect("0x10000000", 4096, "rw", 1), {"op": "pkey_free", "pkey": 1}]}
    code, out, err, _ = _cli(tmp_path, capsys, scen, "--format", "json")
    assert code == 0 and err == ""
    res = json.loads(out)["results"]
    assert (res[3]["ret"], res[3]["errno"]) == (-1, EINVAL)
    assert (res[4]["ret"], res[4]["errno"]) == (-1, EINVAL)


def test_the_shipped_schema_is_valid_and_accepts_the_examples():
    import pathlib

    import jsonschema

    from abicheck.fault.scenario import schema
    jsonschema.Draft202012Validator.check_schema(schema())
    root = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios"
    files = sorted(root.glob("*.json"))
    assert len(files) >= 10
    for f in files:
        jsonschema.Draft202012Validator(schema()).validate(json.loads(f.read_text()))


@pytest.mark.parametrize("key,value", [("target", "vax"), ("headers", "linux-9.9")])
def test_bad_target_or_headers_in_the_scenario_name_their_path(tmp_path, capsys, key, value):
    code, out, err, f = _cli(tmp_path, capsys, {key: value, "ops": [access("read", 0)]})
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"{f}: {key}: error: ")


def test_bad_headers_on_the_command_line_is_a_usage_error(tmp_path, capsys):
    code, out, err, _ = _cli(tmp_path, capsys, {"ops": [access("read", 0)]}, "--headers", "nope")
    assert code == 2 and out == "" and err.startswith("abicheck: error: ")
