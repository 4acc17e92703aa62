"""Reading a scenario: JSON, the package's JSON Schema, then the checks a
schema cannot express (addresses that fit the ABI's pointers, register ops
the architecture has).  Every problem is one line naming the file and the
JSON path of the value: ``scen.json: ops[3].pkey: error: ...``.

A scenario is a program (the same file drives the simulator and the
generated self-test), so what the *kernel* would refuse is not an error
here: ``pkey_mprotect`` with a freed key is an op whose result is EINVAL.
What no program could do -- map over a fixed mapping it already made with
MAP_FIXED_NOREPLACE, name a key it never got, write a register its CPU does
not have -- is refused, with the path of the op (the stateful ones are found
while simulating, by ``simulate``).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from abicheck.errors import AbicheckError, printable

#: the op that writes each architecture's key register
REGISTER_OPS = ("wrpkru", "wramr", "wrpor")

#: Where a scenario may map, protect and unmap: ``[0x10000000, 0x70000000)``.
#: The self-test is a static program sharing its address space with the
#: scenario: its text and brk heap sit low (0x400000 on x86_64 and x32,
#: 0x8048000 on i386), its stack, vDSO and libc mappings high (below
#: TASK_SIZE); an op there would hit them (mmap: EEXIST, munmap: the program
#: itself), which the simulator, seeing an empty address space, cannot
#: model.  Ranges at or past the end of the user address space stay allowed:
#: the kernel refuses them before any mapping matters.
FREE_WINDOW = (0x10000000, 0x70000000)
_RANGE_OPS = ("mmap", "mprotect", "pkey_mprotect", "munmap")


class ScenarioError(AbicheckError):
    """A scenario that is not a program the simulator can run:
    ``file: ops[3].pkey: error: msg`` (exit 2)."""

    def __init__(self, file: str, path: str, msg: str) -> None:
        super().__init__(msg)
        self.file, self.path = file, path

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return printable(f"{where}: error: {self.msg}")


@functools.cache
def schema() -> dict:
    from abicheck import package
    return json.loads(package.read_text("schemas/scenario.schema.json"))


def json_path(parts) -> str:
    """``['ops', 3, 'pkey']`` -> ``ops[3].pkey``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def load(path: str) -> dict:
    """The scenario in ``path``, schema-checked (not yet normalised)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ScenarioError(path, "", f"cannot read the scenario: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "", "the scenario is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path}:{e.lineno}:{e.colno}", "", f"not JSON: {e.msg}") from None
    validate(data, path)
    return data


def validate(data: Any, file: str = "<scenario>") -> None:
    """Raise the first (deepest, then first in document order) schema error."""
    import jsonschema
    v = jsonschema.Draft202012Validator(schema())
    errors = list(v.iter_errors(data))
    if not errors:
        return
    best = jsonschema.exceptions.best_match(errors)
    # best_match prefers shallow errors; an if/then branch's error is deeper and says more
    deep = sorted(errors, key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))))
    e = deep[0] if len(deep[0].absolute_path) > len(best.absolute_path) else best
    raise ScenarioError(file, json_path(e.absolute_path) or "(top level)", _message(e))


def _message(e) -> str:
    if e.validator == "additionalProperties":
        return e.message.replace("Additional properties are not allowed", "unknown field(s)")
    if e.validator in ("oneOf", "pattern", "type", "minimum") and e.absolute_path and \
            e.absolute_path[-1] in ("addr", "value"):
        return f"expected an integer or a '0x...' string, not {e.instance!r}"
    return e.message


def integer(value: int | str) -> int:
    return value if isinstance(value, int) else int(value, 0) if value[:2].lower() == "0x" \
        else int(value, 10)


@dataclass(frozen=True)
class Op:
    """One op with its numbers as integers; ``raw`` is what the file said."""

    index: int
    op: str
    args: dict

    def __getitem__(self, key: str):
        return self.args[key]

    def get(self, key: str, default=None):
        return self.args.get(key, default)

    @property
    def path(self) -> str:
        return f"ops[{self.index}]"


def _outside_window(addr: int, length: int, user_end: int) -> bool:
    """Whether ``[addr, addr+length)`` reaches user space outside FREE_WINDOW."""
    lo, hi = FREE_WINDOW
    end = min(addr + max(length, 1), user_end)
    return addr < user_end and (addr < lo or end > hi)


def _window_error(file: str, where: str, addr: int, length: int) -> ScenarioError:
    lo, hi = FREE_WINDOW
    return ScenarioError(file, where, f"[{addr:#x}, {addr + length:#x}) is outside the window "
                         f"[{lo:#x}, {hi:#x}) scenarios may map (elsewhere the test program's "
                         "own text, heap, stack and libc mappings live)")


def normalise(data: dict, file: str, pointer_bits: int, register_op: str | None,
              target: str, user_end: int | None = None) -> list[Op]:
    """The ops with integer addresses, checked against the ABI: addresses and
    ranges inside its pointer size, register ops it has, and the memory ops'
    ranges inside FREE_WINDOW unless they start at or past ``user_end`` (the
    end of the user address space; default the whole pointer range)."""
    limit = 1 << pointer_bits
    user_end = limit if user_end is None else user_end
    ops = []
    for i, raw in enumerate(data["ops"]):
        args = dict(raw)
        where = f"ops[{i}]"
        for key in ("addr", "value"):
            if key in args:
                args[key] = integer(args[key])
        if "addr" in args and args["addr"] >= limit:
            raise ScenarioError(file, f"{where}.addr", f"address {args['addr']:#x} does not fit "
                                f"{target}'s {pointer_bits}-bit pointers")
        if "addr" in args and "length" in args and args["addr"] + args["length"] > limit:
            raise ScenarioError(file, f"{where}.length", f"the range {args['addr']:#x} + "
                                f"{args['length']} runs past {target}'s {pointer_bits}-bit "
                                "address space")
        if raw["op"] in _RANGE_OPS and _outside_window(args["addr"], args["length"], user_end):
            raise _window_error(file, f"{where}.addr", args["addr"], args["length"])
        race = args.get("racing_munmap")
        if race:
            race = dict(race, addr=integer(race["addr"]))
            if race["addr"] + race["length"] > limit:
                raise ScenarioError(file, f"{where}.racing_munmap.addr", "the range does not fit "
                                    f"{target}'s {pointer_bits}-bit pointers")
            if _outside_window(race["addr"], race["length"], user_end):
                raise _window_error(file, f"{where}.racing_munmap.addr", race["addr"],
                                    race["length"])
            args["racing_munmap"] = race
        if raw["op"] in REGISTER_OPS:
            if raw["op"] != register_op:
                has = f"its key register op is {register_op}" if register_op else \
                    "it has no protection-key register"
                raise ScenarioError(file, f"{where}.op", f"{target} has no {raw['op']} ({has})")
        ops.append(Op(i, raw["op"], args))
    return ops


def exec_targets(ops) -> dict[int, list[int]]:
    """mmap op index -> the addresses of later exec accesses inside it (the
    last mmap before the access that covers it): where the self-test stores
    a ``ret`` when it makes the mapping, and so where the simulator's pages
    are present from the mmap on.  ``ops`` are ``Op``s or plain dicts."""
    fills: dict[int, list[int]] = {}
    for i, op in enumerate(ops):
        if op["op"] == "access" and op["access"] == "exec":
            for j in range(i - 1, -1, -1):
                m = ops[j]
                if m["op"] == "mmap" and m["addr"] <= op["addr"] < m["addr"] + m["length"]:
                    fills.setdefault(j, [])
                    if op["addr"] not in fills[j]:
                        fills[j].append(op["addr"])
                    break
    return fills
