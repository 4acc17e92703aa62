"""Revisions of headers for ``abicheck diff``: what OLD and NEW name.

A revision is one of

- a header file (``include/uapi/linux/foo.h``): that file, and what it
  declares itself;
- a folder of headers, an include root such as an unpacked
  ``linux-libc-dev``: every ``*.h`` under it, each translated on its own (one
  header that does not compile on some target must not hide the rest), each
  contributing what it declares itself;
- a bundled header set by name (``linux-4.5``, ``pkeys-v1``; see
  ``headers/``): its entry header, and everything declared under the set;
- a tree of several ABIs' headers, as Debian lays them out: cross packages'
  ``usr/<triple>/include`` and multiarch ``usr/include/<tuple>/asm`` (Debian
  13's one ``linux-libc-dev`` holds every ABI's ``asm/`` that way).  Each ABI
  sees its own part (``Revision.view``), so two such trees are compared on
  every ABI in one run, and an ABI the tree has no headers for is said to
  be not compared;
- a git revision of a path, ``REV:path`` (``HEAD~1:include/uapi``): the path
  as it is in REV, read with ``git archive`` into a private temporary folder,
  so the work tree, the index and the user's checkout are never touched.  Git
  runs with an argument list, never through a shell.

``Revision.shown`` maps the files the front end reports back to names a user
recognises: ``headers/<set>/...`` for bundled sets and, for git revisions,
the path in the repository (so SARIF results land on the line in the
checkout, not in a temporary folder that no longer exists).
"""
from __future__ import annotations

import functools
import io
import os
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Sequence

from abicheck import bundled
from abicheck.errors import SourceLoc, UsageError
from abicheck.targets import Target, all_targets

#: Entry headers of bundled sets, first match wins: kernel sets are entered
#: through asm/siginfo.h, the libc views through signal.h.
BUNDLED_ENTRIES = ("asm/siginfo.h", "signal.h")
HEADER_SUFFIXES = (".h",)


@dataclass(frozen=True)
class Revision:
    """One side of a diff, ready for the front end."""

    spec: str                        # as given on the command line
    side: str                        # "OLD" or "NEW", for messages
    kind: str                        # "file" | "folder" | "bundled" | "git"
    headers: tuple[str, ...]         # each translated separately
    include_dirs: tuple[str, ...]    # the revision's own first, then the user's -I
    root: str | None = None          # folder the revision owns (None: only its files)
    each_own: bool = True            # a header contributes only what it declares itself
    display_root: str | None = None  # what ``root`` is shown as (git: the repo path)
    files: tuple[str, ...] = field(default=())   # absolute paths of ``headers``
    #: a target's own folder, searched before ``root`` (multiarch ``asm/``)
    overlay: str | None = None
    overlay_headers: frozenset[str] = field(default=frozenset())
    #: a tree of several ABIs' headers: target name -> that ABI's view (None:
    #: the tree has no headers for it); None for an ordinary revision
    views: dict[str, "Revision | None"] | None = field(default=None, compare=False)
    #: folders besides the include directories files may be read from (the
    #: tree a view is part of: its folders may link to each other)
    roots: tuple[str, ...] = ()

    def view(self, target: Target) -> "Revision | None":
        """This revision as ``target`` sees it: itself, or for a tree of
        several ABIs' headers that ABI's part (None when it has none)."""
        if self.views is None:
            return self
        return self.views.get(target.name)

    @functools.cached_property
    def header_set(self) -> frozenset[str]:
        return frozenset(self.headers)

    def owns(self, file: str) -> bool:
        """Is ``file`` (as the front end reports it) part of this revision?"""
        path = _norm(file)
        if self.root is not None:
            return path == self.root or path.startswith(self.root + os.sep)
        return path in self.files

    def contributes(self, header: str, file: str) -> bool:
        """Does the translation of ``header`` speak for declarations in ``file``?"""
        if not self.owns(file):
            return False
        if not self.each_own:
            return True
        return _norm(file) == self.file_of(header)

    def file_of(self, header: str) -> str:
        if os.path.isabs(header) or self.root is None:
            return _norm(header)
        if self.overlay is not None and header in self.overlay_headers:
            return os.path.join(self.overlay, header)
        return os.path.join(self.root, header)

    def shown(self, file: str) -> str:
        """The name reports use for ``file``."""
        path = _norm(file)
        if self.kind in ("git", "folder") and self.root is not None and self.owns(path):
            rel = os.path.relpath(path, self.root)
            return os.path.normpath(os.path.join(self.display_root or ".", rel))
        if self.kind == "bundled":
            return bundled.display_path(path)
        if self.kind == "file" and path in self.files:
            return self.spec
        return file

    def shown_loc(self, loc: SourceLoc | None) -> SourceLoc | None:
        return None if loc is None else SourceLoc(self.shown(loc.file), loc.line, loc.col)

    def header_label(self, header: str) -> str:
        if self.roots:          # one ABI's part of a tree: the same name on every ABI
            return header
        return self.shown(self.file_of(header))

    def include_name(self, file: str) -> str:
        """The name ``file`` is included by in this revision (``asm/types.h``),
        or its path when it is not part of the revision."""
        path = _norm(file)
        for base in (self.overlay, self.root):
            if base and (path == base or path.startswith(base + os.sep)):
                return os.path.relpath(path, base).replace(os.sep, "/")
        return path


def _norm(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _fail(side: str, spec: str, why: str) -> UsageError:
    return UsageError(f"{side} revision '{spec}': {why}")


def load_revision(spec: str, side: str, include_dirs: Sequence[str], stack: ExitStack) -> Revision:
    """Resolve ``spec`` (see the module docstring).  Temporary folders a git
    revision needs are removed when ``stack`` closes.  Bad input raises
    ``UsageError`` naming the side and the spec."""
    user = tuple(include_dirs)
    if os.path.isfile(spec):
        return _file_revision(spec, side, user)
    if os.path.isdir(spec):
        return _folder_revision(spec, side, _norm(spec), user, "folder", os.path.normpath(spec))
    if os.path.exists(spec):
        raise _fail(side, spec, "not a regular file or folder")
    if ":" in spec and not spec.startswith(("/", "./", "../")):
        return _git_revision(spec, side, user, stack)
    if spec in _bundled_sets():
        root = _norm(bundled.headers_dir(spec))
        entries = [e for e in BUNDLED_ENTRIES if os.path.isfile(os.path.join(root, e))]
        if not entries:
            return _folder_revision(spec, side, root, user, "bundled")
        return Revision(spec, side, "bundled", (entries[0],), (root, *user), root, each_own=False)
    raise _fail(side, spec, "no such file, folder, bundled header set "
                            f"({', '.join(_bundled_sets())}) or git revision (REV:path)")


def _bundled_sets() -> list[str]:
    try:
        return bundled.header_sets()
    except UsageError:
        return []


def _file_revision(path: str, side: str, user: tuple[str, ...], kind: str = "file",
                   spec: str | None = None, display: str | None = None) -> Revision:
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as e:
        raise _fail(side, spec or path, f"cannot read: {e.strerror}") from None
    full = _norm(path)
    if kind == "git":
        return Revision(spec or path, side, kind, (full,), user, os.path.dirname(full), each_own=True,
                        display_root=os.path.dirname(display or ""), files=(full,))
    return Revision(spec or path, side, kind, (full,), user, None, files=(full,))


def header_files(root: str, skip: frozenset[str] = frozenset(), within: str | None = None
                 ) -> list[str]:
    """Every header under ``root``, as sorted include names (``linux/types.h``),
    leaving out the top-level folders named in ``skip``.  Symbolic links to
    folders are followed only when they stay inside ``within`` (Debian 13
    links each ``<tuple>/asm`` to ``usr/lib/linux/uapi/<arch>/asm``), and no
    folder is entered twice (a tree may link to itself)."""
    out = []
    inside = os.path.realpath(within) + os.sep if within else None
    seen = {os.path.realpath(root)}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=inside is not None):
        if dirpath == root and skip:
            dirnames[:] = [d for d in dirnames if d not in skip]
        if inside is not None:
            keep = []
            for d in dirnames:
                full = os.path.join(dirpath, d)
                real = os.path.realpath(full)
                if os.path.islink(full) and not real.startswith(inside):
                    continue
                if real not in seen:
                    seen.add(real)
                    keep.append(d)
            dirnames[:] = keep
        dirnames.sort()
        # the folder's include prefix once, not a relpath per file (a
        # Debian tree of every ABI lists some 40,000 headers)
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        out.extend(prefix + name for name in filenames if name.endswith(HEADER_SUFFIXES))
    return sorted(out)


def _folder_revision(spec: str, side: str, root: str, user: tuple[str, ...], kind: str,
                     display: str | None = None) -> Revision:
    if kind in ("folder", "git"):
        tree = _abi_tree(spec, side, root, user, kind, display)
        if tree is not None:
            return tree
    try:
        headers = header_files(root)
    except OSError as e:
        raise _fail(side, spec, f"cannot read the folder: {e.strerror}") from None
    if not headers:
        raise _fail(side, spec, "the folder has no headers (*.h)")
    return Revision(spec, side, kind, tuple(headers), (root, *user), root, each_own=True,
                    display_root=display)


def _git(args: list[str], cwd: str, side: str, spec: str, what: str) -> bytes:
    try:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=300)
    except OSError as e:
        raise _fail(side, spec, f"cannot run git: {e.strerror}") from None
    except subprocess.TimeoutExpired:
        raise _fail(side, spec, f"git timed out while {what}") from None
    if r.returncode != 0:
        msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _fail(side, spec, f"{what}: {msg[-1] if msg else 'git failed'}")
    return r.stdout


def _git_revision(spec: str, side: str, user: tuple[str, ...], stack: ExitStack) -> Revision:
    rev, path = spec.split(":", 1)
    if not rev:
        raise _fail(side, spec, "no git revision before ':'")
    cwd = os.getcwd()
    top = _git(["rev-parse", "--show-toplevel"], cwd, side, spec,
               "not inside a git repository").decode().strip()
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
             top, side, spec, "")
    except UsageError:
        raise _fail(side, spec, f"no such git revision '{rev}'") from None
    rel = os.path.relpath(_norm(path or "."), top).replace(os.sep, "/")
    if rel == ".." or rel.startswith("../"):
        raise _fail(side, spec, f"'{path}' is outside the repository {top}")
    listing = _git(["ls-tree", "--name-only", rev, "--", rel if rel != "." else ""], top, side,
                   spec, "listing the tree") if rel != "." else b"."
    if not listing.strip():
        raise _fail(side, spec, f"'{path}' does not exist in {rev}")
    tar = _git(["archive", "--format=tar", rev, "--", *([rel] if rel != "." else [])], top, side,
               spec, "reading the tree")
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="abicheck-rev-"))
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(tmp, filter="data")
    local = os.path.join(tmp, rel) if rel != "." else tmp
    shown = path or "."
    if os.path.isfile(local):
        return _file_revision(local, side, user, "git", spec, shown)
    if not os.path.isdir(local):
        raise _fail(side, spec, f"'{path}' is not a file or folder in {rev}")
    return _folder_revision(spec, side, _norm(local), user, "git", shown)


def _abi_roots(root: str) -> dict[str, tuple[str, str | None]]:
    """Where each ABI's headers are in a tree that holds several, as Debian
    lays them out: target name -> (include root, multiarch overlay or None).

    - a cross tree, ``<triple>/include`` (``/usr/aarch64-linux-gnu/include``
      of linux-libc-dev-arm64-cross), under ``root`` or ``root/usr``: that
      folder is the ABI's whole include root;
    - a multiarch tree, ``include/<tuple>`` (``/usr/include/x86_64-linux-gnu``,
      and since Debian 13 every architecture's ``asm/`` in one
      linux-libc-dev): the shared folder, with the ABI's own folder searched
      first.
    The cross tree wins where a tree has both (a Debian 12 system with cross
    packages).  Empty for an ordinary include root."""
    out: dict[str, tuple[str, str | None]] = {}
    for t in all_targets():
        for base in (root, os.path.join(root, "usr")):
            inc = os.path.join(base, t.triple, "include")
            if os.path.isdir(inc):
                out[t.name] = (inc, None)
                break
        else:
            for inc in (os.path.join(root, "usr", "include"), os.path.join(root, "include"), root):
                if os.path.isdir(os.path.join(inc, t.multiarch)):
                    out[t.name] = (inc, os.path.join(inc, t.multiarch))
                    break
    return out


def _abi_tree(spec: str, side: str, root: str, user: tuple[str, ...], kind: str,
              display: str | None) -> Revision | None:
    """A revision of several ABIs' headers (see ``_abi_roots``), or None."""
    roots = _abi_roots(root)
    if not roots:
        return None
    skip = frozenset(x for t in all_targets() for x in (t.triple, t.multiarch))
    listed: dict[str, list[str]] = {}

    def headers(folder: str, top: bool) -> list[str]:
        if folder not in listed:
            try:
                listed[folder] = header_files(folder, skip if top else frozenset(), root)
            except OSError as e:
                raise _fail(side, spec, f"cannot read the folder: {e.strerror}") from None
        return listed[folder]

    shown = display or os.path.normpath(spec)
    views: dict[str, Revision | None] = {}
    for t in all_targets():
        if t.name not in roots:
            views[t.name] = None
            continue
        inc, overlay = roots[t.name]
        own = frozenset(headers(overlay, False)) if overlay else frozenset()
        names = tuple(sorted(set(headers(inc, overlay is not None)) | own))
        at = os.path.normpath(os.path.join(shown, os.path.relpath(inc, root)))
        views[t.name] = Revision(spec, side, kind, names,
                                 ((overlay,) if overlay else ()) + (inc, *user), inc,
                                 display_root=at, overlay=overlay, overlay_headers=own,
                                 roots=(root,)) if names else None
    every = sorted({h for v in views.values() if v is not None for h in v.headers})
    if not every:
        raise _fail(side, spec, "the folder has no headers (*.h)")
    return Revision(spec, side, kind, tuple(every), (root, *user), root, display_root=shown,
                    views=views)
