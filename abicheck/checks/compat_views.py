"""The two views ``abicheck compat`` compares: which headers, include
directories and macros make up the kernel's view and the C library's view
of a type, on each target.

A view comes from command-line options (``--kernel-header``,
``--kernel-include``, ``--kernel-define`` and the ``--libc-*`` twins) or
from a *profile*: a small TOML file with the same keys, bundled
(``abicheck/data/profiles/NAME.toml``) or the user's own.  Profiles are data
so that a distribution can describe its own layout without code:

- ``headers``: include names (or paths) to translate, in order;
- ``include``: include directories; ``{triple}`` (the GNU triple),
  ``{multiarch}`` (Debian's multiarch tuple), ``{musl}`` (the same with
  ``-gnu`` spelled ``-musl``: Debian's musl-dev folder, ``x86_64-linux-musl``,
  ``arm-linux-musleabihf``) and ``{bundled}`` (abicheck's bundled header sets) are replaced per
  target.  A directory with a per-target placeholder that does not exist
  means the view is *not available* on that target (Debian installs cross
  headers only for some ABIs): that target is not compared, which is no
  error.  A directory without one must exist;
- ``define``: macros, ``NAME`` or ``NAME=VALUE``;
- ``tree`` (optional): a folder holding several ABIs' headers the way
  Debian lays them out (cross packages' ``usr/<triple>/include``,
  multiarch ``usr/include/<tuple>``, Debian 13's one ``linux-libc-dev``
  with every ABI's ``asm/``): each ABI reads its own part, found as
  ``abicheck diff`` finds it (``revision._abi_roots``), before ``include``;
  an ABI the tree has nothing for is not available;
- ``targets`` (optional): the only targets the view is available on, by
  any name ``--target`` accepts, or ``"host"`` for the machine's own ABI
  (``host-*`` profiles describe ``/usr/include``, which is one ABI's).

Errors in a profile read ``file:line:col: error: ...`` (exit 2).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from abicheck import bundled, tomltext
from abicheck.errors import SourceLoc, UsageError
from abicheck.targets import Target, get_target, host_target

PROFILES_DIR = Path(__file__).resolve().parent.parent / "data" / "profiles"
SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "compat-profile.schema.json"
#: Placeholders that differ per target (a missing directory: not available).
PER_TARGET = ("{triple}", "{multiarch}", "{musl}")
#: With no view options at all: bundled kernel against bundled glibc.
DEFAULT = {"kernel": "linux-6.6", "libc": "glibc"}


@dataclass(frozen=True)
class View:
    """One side of a comparison, before any target is chosen."""

    side: str                           # "kernel" or "libc"
    name: str                           # profile name, file, or "command line"
    headers: tuple[str, ...]
    include: tuple[str, ...]            # with placeholders
    defines: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None  # target names (None: every target)
    file: str | None = None             # the profile file, for messages
    tree: str | None = None             # a tree of several ABIs' headers

    @property
    def label(self) -> str:
        """``libc view 'glibc'``: how messages name this view."""
        return f"{self.side} view '{self.name}'"

    def include_dirs(self, target: Target) -> list[str] | None:
        """This view's include directories on ``target``, or None when the
        view is not available there."""
        if self.only is not None and target.name not in self.only:
            return None
        out = []
        if self.tree is not None:
            from abicheck.revision import _abi_roots
            root = _abi_roots(self.tree).get(target.name)
            if root is None:
                return None
            inc, overlay = root
            out += ([overlay] if overlay else []) + [inc]
        for d in self.include:
            path = expand(d, target)
            if any(p in d for p in PER_TARGET) and not os.path.isdir(path):
                return None
            out.append(path)
        return out

    def check_dirs(self) -> None:
        """Directories without a per-target placeholder must exist."""
        if self.tree is not None and not os.path.isdir(self.tree):
            raise UsageError(f"{self.label}: tree '{self.tree}' is not a folder")
        for d in self.include:
            if not any(p in d for p in PER_TARGET):
                path = expand(d, None)
                if not os.path.isdir(path):
                    raise UsageError(f"{self.label}: include directory '{path}' does not exist")

    def to_json(self) -> dict:
        return {"side": self.side, "name": self.name, "headers": list(self.headers),
                "include": list(self.include), "define": list(self.defines),
                "targets": list(self.only) if self.only is not None else None,
                "tree": self.tree}


def expand(template: str, target: Target | None) -> str:
    out = template.replace("{bundled}", _bundled_root())
    if target is not None:
        out = (out.replace("{triple}", target.triple).replace("{multiarch}", target.multiarch)
               .replace("{musl}", musl_tuple(target)))
    return out


def musl_tuple(target: Target) -> str:
    """Debian's musl-dev include folder name for ``target``."""
    return target.multiarch.replace("-gnu", "-musl", 1)


def _bundled_root() -> str:
    return os.path.dirname(bundled.headers_dir("glibc"))


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def load_profile(spec: str, side: str) -> View:
    """A bundled profile by name, or a TOML file (``spec`` ends in .toml or
    names an existing file)."""
    if spec in profile_names() and not os.path.exists(spec):
        path, file = PROFILES_DIR / f"{spec}.toml", str(PROFILES_DIR / f"{spec}.toml")
    elif os.path.isfile(spec):
        path, file = Path(spec), spec
    else:
        raise UsageError(f"{side} profile '{spec}': no such file or bundled profile "
                         f"({', '.join(profile_names())})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{side} profile '{spec}': cannot read: {getattr(e, 'strerror', e)}") \
            from None
    return parse_profile(text, file, side, spec)


def parse_profile(text: str, file: str, side: str, name: str) -> View:
    """Parse and validate a profile's TOML text (``schemas/compat-profile.schema.json``)."""
    data = tomltext.loads(text, file)
    import jsonschema
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        key = next((str(p) for p in e.absolute_path if isinstance(p, str)), None)
        if e.validator == "additionalProperties":
            key = next(iter(sorted(set(data) - set(e.schema.get("properties", {})))), key)
        where = "/".join(str(p) for p in e.absolute_path)
        raise UsageError(f"invalid profile: {where + ': ' if where else ''}{e.message}",
                         _key_loc(text, file, key)) from None
    only = None
    if "targets" in data:
        only = tuple(_target_name(t, text, file) for t in data["targets"])
    tree = data.get("tree")
    if tree is not None and not os.path.isabs(tree):
        tree = os.path.join(os.path.dirname(os.path.abspath(file)), tree)
    return View(side, name, tuple(data["headers"]), tuple(data.get("include", ())),
                tuple(data.get("define", ())), only, file, tree)


def _target_name(name: str, text: str, file: str) -> str:
    if name == "host":
        return host_target().name
    try:
        return get_target(name).name
    except UsageError as e:
        raise UsageError(f"invalid profile: targets: {e.msg}", _key_loc(text, file, "targets")) \
            from None


def _key_loc(text: str, file: str, key: str | None) -> SourceLoc:
    """Where ``key = ...`` is written (line 1 when it is not)."""
    if key:
        for i, line in enumerate(text.split("\n"), 1):
            m = re.match(r"^([ \t]*)" + re.escape(key) + r"[ \t]*=", line)
            if m:
                return SourceLoc(file, i, len(m.group(1)) + 1)
    return SourceLoc(file, 1, 1)


@dataclass
class ViewOptions:
    """One side's command-line options."""

    profile: str | None = None
    headers: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return bool(self.profile or self.headers or self.include or self.defines)


def make_view(side: str, opts: ViewOptions) -> View:
    """The view ``opts`` describe.  With a profile, ``--*-header`` replaces
    its headers and ``--*-include``/``--*-define`` come after its own; with
    options but no profile, the headers default to the bundled default
    profile's (``asm/siginfo.h``, ``signal.h``) and nothing else of it is
    used; with no options at all, the bundled default profile."""
    if opts.profile or not opts.given:
        base = load_profile(opts.profile or DEFAULT[side], side)
    else:
        base = View(side, "command line", load_profile(DEFAULT[side], side).headers, ())
    view = View(side, base.name, tuple(opts.headers) or base.headers,
                base.include + tuple(opts.include), base.defines + tuple(opts.defines),
                base.only, base.file, base.tree)
    view.check_dirs()
    return view


def jobs(view: View, targets: Sequence[Target]) -> tuple[list[tuple], list[Target]]:
    """``frontend.translate_each`` jobs for the targets the view is
    available on, and the targets it is not."""
    out, missing = [], []
    for t in targets:
        dirs = view.include_dirs(t)
        if dirs is None:
            missing.append(t)
        else:
            out.append((list(view.headers), t, dirs, (view.tree,) if view.tree else ()))
    return out, missing
