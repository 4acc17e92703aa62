"""Allow ``python -m abicheck``."""
from abicheck.cli import entry

entry()
