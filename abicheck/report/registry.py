"""The renderer registry: every report format is a ``BaseRenderer`` subclass
registered by name, so ``--format NAME`` finds it and a new format is one new
module in this package (imported by ``report/render.py``)."""
from __future__ import annotations

from collections.abc import Callable

from abicheck.report.findings import Report


class BaseRenderer:
    """A report format.  Subclasses set ``name`` via ``@register``."""

    name: str = ""
    #: the commands whose reports this format can draw (None: every command);
    #: the byte map pictures layouts, which only a diff report carries
    commands: frozenset[str] | None = None

    def render(self, report: Report) -> str:
        raise NotImplementedError


RENDERERS: dict[str, type[BaseRenderer]] = {}


def register(name: str) -> Callable[[type[BaseRenderer]], type[BaseRenderer]]:
    """Class decorator: make a renderer available as ``--format NAME``."""
    def deco(cls: type[BaseRenderer]) -> type[BaseRenderer]:
        if name in RENDERERS:
            raise ValueError(f"renderer '{name}' registered twice")
        cls.name = name
        RENDERERS[name] = cls
        return cls
    return deco
