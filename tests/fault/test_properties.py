"""Properties over random scenarios (hypothesis): the simulator either runs
a scenario or refuses it with a ScenarioError -- never another exception --
and what it reports obeys the kernel's invariants: a blob is 128 bytes,
SEGV_PKUERR only where keys exist, SEGV_MAPERR exactly where no mapping
holds the address, a killed process ends the results, and the same
scenario gives the same bytes."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abicheck.fault import ScenarioError, simulate
from abicheck.fault.vma import AddressSpace

PAGES = [0x10000000 + i * 0x10000 for i in range(4)]
MAPPED = st.integers(PAGES[0], PAGES[0] + 0x1ffff)      # what the prefix maps
ADDRS = st.one_of(MAPPED, MAPPED, MAPPED, st.sampled_from(PAGES).flatmap(
    lambda p: st.integers(p, p + 0x1ffff)))
PROTS = st.sampled_from(["none", "r", "w", "x", "rw", "rx", "rwx"])
KEYS = st.integers(-1, 3)          # 1..3: the scenario's three allocated keys (see _keys)
RIGHTS = st.sampled_from(["none", "disable_access", "disable_write", "disable_execute"])

OPS = st.one_of(
    st.builds(lambda a, n, p: {"op": "mmap", "addr": a, "length": n, "prot": p},
              st.sampled_from(PAGES[2:]), st.sampled_from([4096, 65536, 131072]), PROTS),
    st.builds(lambda a, n, p: {"op": "mprotect", "addr": a, "length": n, "prot": p},
              st.sampled_from(PAGES), st.sampled_from([4096, 65536]), PROTS),
    st.builds(lambda a, n, p, k: {"op": "pkey_mprotect", "addr": a, "length": n, "prot": p,
                                  "pkey": k},
              st.sampled_from(PAGES), st.sampled_from([4096, 65536]), PROTS, KEYS),
    st.builds(lambda a, n: {"op": "munmap", "addr": a, "length": n},
              st.sampled_from(PAGES), st.sampled_from([4096, 65536])),
    st.builds(lambda r: {"op": "pkey_alloc", "rights": r}, RIGHTS),
    st.builds(lambda k: {"op": "pkey_free", "pkey": k}, st.integers(0, 3)),
    st.builds(lambda v: {"op": "wrpkru", "value": v}, st.integers(0, 0xFFFFFFFF)),
    st.builds(lambda a: {"op": "sigaltstack", "addr": a, "length": 65536},
              st.sampled_from(PAGES)),
    st.builds(lambda kind, a: {"op": "access", "access": kind, "addr": a},
              st.sampled_from(["read", "write", "exec"]), ADDRS),
    st.builds(lambda a, n: {"op": "syscall_read_from", "addr": a, "length": n},
              ADDRS, st.integers(0, 9000)),
)


def _keys(ops, target):
    """Key numbers 1..3 -> the three keys the scenario's prefix allocates
    there (powerpc hands out 4 first); the register op of the target."""
    first = 4 if target.startswith("powerpc") else 1
    reg = {"x86_64": "wrpkru", "i386": "wrpkru", "powerpc64le": "wramr",
           "aarch64": "wrpor"}.get(target)
    out = []
    for op in ops:
        op = dict(op)
        if op.get("pkey", 0) > 0:
            op["pkey"] += first - 1
        if op["op"] == "wrpkru":
            if reg is None:
                continue
            op["op"] = reg
        out.append(op)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RIGHTS, min_size=3, max_size=3), st.lists(OPS, min_size=1, max_size=14),
       st.sampled_from(["x86_64", "i386", "powerpc64le", "aarch64", "riscv64"]),
       st.sampled_from(["6.1", "6.12"]))
def test_random_scenarios(rights, body, target, kernel):
    ops = ([{"op": "pkey_alloc", "rights": r} for r in rights]
           + [{"op": "mmap", "addr": PAGES[0], "length": 0x20000, "prot": "rw"}]
           + _keys(body, target))
    scen = {"ops": ops}
    try:
        results = simulate(scen, target=target, kernel=kernel)
    except ScenarioError:
        return
    again = simulate(scen, target=target, kernel=kernel)
    assert [(r.record(), r.rule) for r in results] == [(r.record(), r.rule) for r in again]
    keyed = target in ("x86_64", "i386", "powerpc64le") or (target == "aarch64"
                                                             and kernel == "6.12")
    # replay the mappings to know, independently of the fault code, what is mapped
    page = 65536 if target == "powerpc64le" else 4096
    space = AddressSpace(page)
    for r in results:
        op = ops[r.index]
        if r.killed is not None:
            assert r is results[-1]
        if op["op"] == "mmap" and r.errno == 0:
            space.map(op["addr"], op["length"], "r")
        elif op["op"] == "munmap" and r.errno == 0:
            space.unmap(op["addr"], op["length"])
        elif op["op"] == "access":
            if r.fault:
                assert len(r.blob) == 128 and r.signo == 11
                assert r.fields["si_addr"] == op["addr"]
                assert (r.code == 1) == (space.find(op["addr"]) is None)
                assert r.code != 4 or keyed
                assert ("si_pkey" in r.fields) == (r.code == 4)
            else:
                assert space.find(op["addr"]) is not None
    assert len(results) == len(ops) or results[-1].killed is not None
