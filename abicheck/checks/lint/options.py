"""Command-line options and the project's configuration, merged into one
``runner.LintOptions``: the command line wins, ``-I``/``-D`` add to the
file's, targets default to every ABI."""
from __future__ import annotations

import os
from collections.abc import Sequence

from abicheck.checks.lint.config import LintConfig, find_config, load_config
from abicheck.checks.lint.runner import LintOptions
from abicheck.checks.lint.waivers import load_waivers
from abicheck.targets import select_targets


def lint_options(targets: Sequence[str] = (), include_dirs: Sequence[str] = (),
                 defines: Sequence[str] = (), fail_on: str | None = None,
                 since: str | None = None, config: str | None = None,
                 waivers: str | None = None) -> LintOptions:
    path = config or find_config()
    path = shown_path(path) if path else None
    cfg = load_config(path) if path else LintConfig()
    wfile = waivers or cfg.waivers
    return LintOptions(
        targets=tuple(select_targets(list(targets) or list(cfg.targets) or ["all"])),
        include_dirs=tuple(include_dirs) + cfg.include_dirs,
        defines=tuple(defines) + cfg.defines,
        enable=cfg.enable, disable=cfg.disable, severity=dict(cfg.severity),
        waivers=load_waivers(shown_path(wfile)) if wfile else (),
        waiver_file=shown_path(wfile) if wfile else None,
        since=since, fail_on=fail_on or cfg.fail_on or "error")


def shown_path(path: str) -> str:
    """``path`` relative to the current folder when it is under it (stable
    across checkouts, what SARIF and annotations want), else as given."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel
