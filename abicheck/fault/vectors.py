"""Test vectors: the siginfo blobs the kernel delivers on every ABI, each
with a JSON expectation, for libc and tracer test suites that have no
protection-key hardware (or no such ABI) to provoke them on.

Every scenario of ``catalog.CATALOG`` runs on every requested target and
every modelled kernel where its ``arch`` is "any" or the ABI's key
architecture under that kernel, and where it is a valid program (an op the
ABI lacks, or a key the ABI never hands out, makes it invalid there:
skipped); ia64, which the model refuses, has none; every
faulting access becomes ``<target>/<kernel>/<scenario>.op<N>.bin`` (the 128
bytes) and ``.json`` (what the kernel did and why: signal, code, fields,
delivery, the rule of ``kernel``/``delivery`` that decided), and the whole
run is ``<target>/<kernel>/<scenario>.results.json`` (every op's result in
the real-kernel record format -- what ``pkey_alloc`` answers on an ABI
without keys, for one).  ``index.json`` lists both.  The set is a pure function of the targets: the same bytes on
every run and every machine.
"""
from __future__ import annotations

import hashlib
import json
import os

from abicheck.errors import UsageError
from abicheck.fault import emit
from abicheck.fault.catalog import CATALOG
from abicheck.fault.scenario import ScenarioError
from abicheck.fault.keys import model_for
from abicheck.fault.simulate import KERNELS, simulable, simulate


def vectors(targets, headers: str | None = None):
    """Yield (relative path, bytes or text) of every vector file, in order."""
    index, runs = [], []
    for t in targets:
        if not simulable(t):          # ia64: refused by the model (simulate.UNMODELLED)
            continue
        for kv in KERNELS:
            arch = model_for(t.kernel_arch, kv, t.pointer_size).arch
            for entry in CATALOG:
                bits = entry.get("bits")
                if bits and bits != t.pointer_size * 8:
                    continue
                if entry["arch"] not in ("any", arch):
                    continue          # the scenario's key architecture is not this ABI's
                scen = {"description": entry["description"], "ops": entry["ops"]}
                if "paging" in entry:
                    scen["paging"] = entry["paging"]
                try:
                    results = simulate(scen, target=t.name, kernel=kv, headers=headers,
                                       file=f"catalog:{entry['name']}")
                except ScenarioError:
                    continue          # not a program this ABI can run
                run_name = f"{t.name}/{kv}/{entry['name']}.results.json"
                yield run_name, json.dumps({
                    "target": t.name, "kernel": kv, "headers": headers or emit.DEFAULT_HEADERS,
                    "scenario": entry["name"], "description": entry["description"],
                    "ops": entry["ops"], "results": [r.record() for r in results]},
                    indent=1) + "\n"
                runs.append(run_name)
                for r in results:
                    if r.op != "access" or not r.fault:
                        continue
                    base = f"{t.name}/{kv}/{entry['name']}.op{r.index}"
                    op = entry["ops"][r.index]
                    expect = {
                        "target": t.name, "kernel": kv,
                        "headers": headers or emit.DEFAULT_HEADERS,
                        "scenario": entry["name"], "description": entry["description"],
                        "op": r.index, "access": op["access"], "addr": op["addr"],
                        "signo": r.signo, "signal": r.signal, "code": r.code,
                        "code_name": r.code_name, "fields": r.fields,
                        "delivered": r.delivered,
                        "killed": None if r.killed is None else {"signo": r.killed},
                        "rule": r.rule, "blob": os.path.basename(base) + ".bin",
                        "blob_hex": r.blob.hex(),
                        "blob_sha256": hashlib.sha256(r.blob).hexdigest(),
                    }
                    yield base + ".bin", r.blob
                    yield base + ".json", json.dumps(expect, indent=2) + "\n"
                    index.append(base)
    yield "index.json", json.dumps({"format": "abicheck-fault-vectors/1",
                                    "vectors": index, "runs": runs}, indent=1) + "\n"


def write(out_dir: str, targets, headers: str | None = None) -> int:
    """Write every vector under ``out_dir`` (each file replaced in one step,
    index.json last); returns how many vectors."""
    from abicheck.output import write_atomic
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"--out '{out_dir}' is not a directory")
    files = list(vectors(targets, headers))      # all computed before anything is written
    n = 0
    for rel, data in files:
        path = os.path.join(out_dir, rel)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except OSError as e:       # a file in the way, no permission, a read-only place
            raise UsageError(f"--out '{out_dir}': cannot create "
                             f"'{e.filename or os.path.dirname(path)}': {e.strerror}") from None
        write_atomic(path, data)
        n += rel.endswith(".bin")
    return n
