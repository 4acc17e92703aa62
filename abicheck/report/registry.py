"""The renderer registry: every report format is a ``BaseRenderer`` subclass
registered by name in a module of this package named after it, so
``--format NAME`` finds it; a new format is one new module and one line of
``FORMATS``."""
from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False       # the findings model: not needed to list the formats
if TYPE_CHECKING:
    from abicheck.report.findings import Report


class BaseRenderer:
    """A report format.  Subclasses set ``name`` via ``@register``."""

    name: str = ""
    #: the commands whose reports this format can draw (None: every command);
    #: the byte map pictures layouts, which only a diff report carries
    commands: frozenset[str] | None = None

    def render(self, report: Report) -> str:
        raise NotImplementedError


#: every format, by name (its module is ``abicheck.report.NAME``), with the
#: commands whose reports it can draw (None: every command).  Why a table
#: and not the classes alone: ``--format``'s choices and help need the
#: names only, and importing all eight renderers cost the start of every
#: command that reports (tests/report/test_render.py holds the two equal)
FORMATS: dict[str, frozenset[str] | None] = {
    "github": None, "html": frozenset({"diff"}), "json": None, "junit": None, "markdown": None,
    "sarif": None, "svg": frozenset({"diff"}), "text": None,
}

#: the renderers imported so far, by name (``renderer`` imports the others)
RENDERERS: dict[str, type[BaseRenderer]] = {}


def formats(command: str | None = None) -> list[str]:
    """Registered format names, sorted (for ``--format`` choices and help);
    with ``command``, only those that can render its report."""
    return sorted(n for n, commands in FORMATS.items()
                  if command is None or commands is None or command in commands)


def renderer(name: str) -> type[BaseRenderer] | None:
    """The renderer of format ``name``, its module imported; None when no
    such format exists."""
    if name not in FORMATS:
        return None
    if name not in RENDERERS:
        import importlib
        importlib.import_module(f"{__package__}.{name}")
    return RENDERERS[name]


def register(name: str) -> Callable[[type[BaseRenderer]], type[BaseRenderer]]:
    """Class decorator: make a renderer available as ``--format NAME``."""
    def deco(cls: type[BaseRenderer]) -> type[BaseRenderer]:
        if name in RENDERERS:
            raise ValueError(f"renderer '{name}' registered twice")
        cls.name = name
        RENDERERS[name] = cls
        return cls
    return deco
