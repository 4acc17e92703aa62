"""The vectors: together they take every path of the simulator on the
architectures that have it, each blob decodes (through the generated model)
to the fields its expectation states, and ABIs without keys never carry a
key."""
from __future__ import annotations

import json

import pytest

from abicheck.blobs import decode_fields
from abicheck.fault.vectors import vectors
from abicheck.targets import get_target
from fault.helpers import enosys_from_headers

TARGETS = ["x86_64", "i386", "x32", "powerpc64", "aarch64", "riscv64", "s390x", "mips"]


@pytest.fixture(scope="module")
def files():
    return dict(vectors([get_target(t) for t in TARGETS]))


def _expectations(files):
    return [json.loads(v) for k, v in files.items() if k.endswith(".json") and k != "index.json"
            and not k.endswith(".results.json")]


def test_every_rule_has_a_vector(files):
    # the registries of the code (kernel.FAULT_RULES, delivery.OUTCOMES): a rule
    # added there without a vector fails here, and Outcome/Delivery refuse a rule
    # the registries lack, so a new rule cannot bypass them
    from abicheck.fault import delivery, kernel
    seen = set()
    for e in _expectations(files):
        seen.update(part.strip() for part in e["rule"].split(";"))
    faults = {r for r in seen if r in kernel.FAULT_RULES}
    outcomes = {r.rsplit(".", 1)[-1] for r in seen - faults}
    assert faults == kernel.FAULT_RULES, sorted(kernel.FAULT_RULES - faults)
    assert outcomes == delivery.OUTCOMES, sorted(delivery.OUTCOMES ^ outcomes)
    # the frame rules that differ by kernel: each version's delivery on x86
    assert {"x86.6.1.frame_altstack_denied", "x86.6.1.frame_stack_denied",
            "x86.6.12.delivered_altstack", "x86.6.12.delivered_stack"} <= seen


def test_registries_refuse_an_unregistered_rule():
    from abicheck.fault import delivery, kernel
    with pytest.raises(AssertionError):
        kernel.Outcome(None, "x86.made_up", None)
    with pytest.raises(AssertionError):
        delivery.Delivery(True, None, "x86.6.12.made_up")


def test_blobs_decode_to_their_expectations(files):
    for e in _expectations(files):
        base = f"{e['target']}/{e['kernel']}/{e['scenario']}.op{e['op']}"
        blob = files[base + ".bin"]
        assert blob.hex() == e["blob_hex"] and len(blob) == 128
        got = decode_fields(blob, "siginfo_t", e["target"], headers_set=e["headers"])
        assert {k: got.get(k) for k in e["fields"]} == e["fields"]


def test_no_key_on_abis_without_keys(files):
    for e in _expectations(files):
        if e["target"] in ("riscv64", "s390x", "mips") or \
                (e["target"] == "aarch64" and e["kernel"] == "6.1"):
            assert e["code"] != 4 and "si_pkey" not in e["fields"]


def test_index_is_sorted_by_generation_and_complete(files):
    index = json.loads(files["index.json"])["vectors"]
    assert len(index) == len(_expectations(files)) and len(set(index)) == len(index)


def test_runs_say_what_pkey_alloc_does_without_keys(files):
    # no ARCH_HAS_PKEYS: mm/mprotect.c does not build pkey_alloc, sys_ni_syscall
    # answers ENOSYS (the ABI's number, from its asm/errno.h) whatever the rights
    for t in ("riscv64", "s390x", "mips"):
        enosys = enosys_from_headers(t)
        if enosys is None:
            continue
        run = json.loads(files[f"{t}/6.12/key_allocation.results.json"])
        assert [(r["ret"], r["errno"]) for r in run["results"]] == [(-1, enosys)] * 4
    # x86: two keys, then EINVAL for the rights x86 lacks; arm64 6.12 has all four
    x86 = json.loads(files["x86_64/6.12/key_allocation.results.json"])["results"]
    assert [(r["ret"], r["errno"]) for r in x86] == [(1, 0), (2, 0), (-1, 22), (-1, 22)]
    arm = json.loads(files["aarch64/6.12/key_allocation.results.json"])["results"]
    assert [r["ret"] for r in arm] == [1, 2, 3, 4]


# ARCH_HAS_PKEYS by ABI and kernel (x86; powerpc Book3S-64; arm64 POE from 6.12)
KEY_ARCH = {("x86_64", k): "x86" for k in ("6.1", "6.12")} | {
    ("i386", k): "x86" for k in ("6.1", "6.12")} | {("x32", k): "x86" for k in ("6.1", "6.12")} | {
    ("powerpc64", "6.1"): "powerpc", ("powerpc64", "6.12"): "powerpc",
    ("aarch64", "6.12"): "arm64"}


def test_runs_only_where_the_catalogue_says(files):
    from abicheck.fault.catalog import CATALOG
    arch_of = {e["name"]: e["arch"] for e in CATALOG}
    runs = json.loads(files["index.json"])["runs"]
    for run in runs:
        target, kernel, name = run.split("/")[0], run.split("/")[1], run.split("/")[2][:-13]
        assert arch_of[name] in ("any", KEY_ARCH.get((target, kernel), "none")), run
    # an x86 scenario that would also run elsewhere (no x86-only op in it) is still skipped
    assert "aarch64/6.12/x86_prot_and_key.results.json" not in runs
    assert "x86_64/6.12/x86_prot_and_key.results.json" in runs


def test_ia64_has_no_vectors():
    # ia64 was removed in 6.7 and the model refuses it (simulate.UNMODELLED)
    assert list(vectors([get_target("ia64")])) == [
        ("index.json", json.dumps({"format": "abicheck-fault-vectors/1", "vectors": [],
                                   "runs": []}, indent=1) + "\n")]


def test_every_vector_blob_validates_on_its_target(files):
    # abicheck.checks.blob (the validator of `abicheck validate`): size, known signal
    # and code, only the selected member's fields, reserved and padding bytes zero,
    # the key in the ABI's range -- every vector must be a blob the headers allow
    from abicheck.blobs import context
    from abicheck.checks.blob import validate_blob
    n = 0
    for e in _expectations(files):
        base = f"{e['target']}/{e['kernel']}/{e['scenario']}.op{e['op']}"
        report = validate_blob(context("siginfo_t", e["target"], e["headers"]),
                               files[base + ".bin"], base)
        assert not report.failed, (base, [f.message for f in report.findings])
        n += 1
    assert n > 100
