"""``frozen.fast_init`` against the ``__init__`` dataclasses generates (the
oracle: the standard library's own, kept as ``__init__.dataclass_init``):
the same signature, the same object, still frozen; on every class of
abicheck that uses it and on classes built to try each kind of field."""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import pkgutil

import pytest

import abicheck
from abicheck.frozen import fast_init


def _fast_classes() -> list[type]:
    out = []
    for info in pkgutil.walk_packages(abicheck.__path__, "abicheck."):
        if info.name.endswith("__main__"):
            continue                # running it is the command
        mod = importlib.import_module(info.name)
        for obj in vars(mod).values():
            if (isinstance(obj, type) and obj.__module__ == mod.__name__
                    and hasattr(obj.__init__, "dataclass_init")):
                out.append(obj)
    return sorted(set(out), key=lambda c: (c.__module__, c.__qualname__))


FAST = _fast_classes()


def test_the_model_uses_it():
    names = {c.__qualname__ for c in FAST}
    assert {"Field", "Record", "SourceLoc", "Member", "Slot", "MacroDef"} <= names


def _made_both_ways(cls, args):
    """An object made by the fast ``__init__`` and one by the generated one."""
    a = cls(*args)
    b = object.__new__(cls)
    cls.__init__.dataclass_init(b, *args)
    return a, b


@pytest.mark.parametrize("cls", FAST, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_same_signature_same_object_still_frozen(cls):
    fast, generated = cls.__init__, cls.__init__.dataclass_init
    assert inspect.signature(fast) == inspect.signature(generated)
    assert fast.__qualname__ == generated.__qualname__
    fields = dataclasses.fields(cls)
    # the required fields only (the defaults: as given), then every field
    required = [f for f in fields if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    for args in ([f"v{i}" for i in range(len(required))], [f"v{i}" for i in range(len(fields))]):
        a, b = _made_both_ways(cls, args)
        for f in fields:
            assert getattr(a, f.name) == getattr(b, f.name), f.name
        assert repr(a) == repr(b)
        if fields:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(a, fields[0].name, "changed")


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Kinds:
    a: int
    b: str = "b"
    c: list = dataclasses.field(default_factory=list)
    d: tuple = (1, 2)


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class _PostInit:
    a: int

    def __post_init__(self):
        object.__setattr__(self, "a", self.a * 2)


@fast_init
@dataclasses.dataclass(frozen=True)
class _NoSlots:
    a: int


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Empty:
    pass


def test_each_kind_of_field():
    x = _Kinds(1)
    assert (x.a, x.b, x.c, x.d) == (1, "b", [], (1, 2))
    assert _Kinds(1).c is not _Kinds(1).c           # a new list each time, as the factory says
    assert _Kinds(1, "x", [3], ()) == _Kinds(a=1, b="x", c=[3], d=())
    assert hash(_Kinds(1, c=None)) == hash(_Kinds(1, c=None))
    assert pickle.loads(pickle.dumps(_Kinds(5, "p"))) == _Kinds(5, "p")
    with pytest.raises(TypeError):
        _Kinds()                                    # a required field, as before
    with pytest.raises(TypeError):
        _Kinds(1, nope=2)
    assert _Empty() == _Empty()


def test_what_it_leaves_alone():
    """Classes it cannot reproduce keep the generated ``__init__``."""
    assert _PostInit(2).a == 4
    for cls in (_PostInit, _NoSlots):
        assert not hasattr(cls.__init__, "dataclass_init")
    assert hasattr(_Kinds.__init__, "dataclass_init")
