"""Moved to ``abicheck.layout.dwarf``; this name stays importable."""
from abicheck.layout.dwarf import Facts, natural_align, user_aligned  # noqa: F401
