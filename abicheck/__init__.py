"""abicheck: the binary interface that C headers promise, checked on every Linux ABI.

The pipeline is visible in the package layout:

    frontend/  headers -> our own C type model (preprocess, GNU rewrite, parse)
    model.py   the immutable C type model
    targets.py the ABI table (data in data/targets.json)
    layout/    (model, target) -> layout, a pure function
    cache/     the persistent cache of parsed headers (safe to delete)
    views/     text (pahole-like) and JSON renderings of layouts
    cli.py     the thin command-line layer
"""

__version__ = "0.1.0"
