"""Allow ``python -m abicheck``."""
import sys

from abicheck.cli import main

sys.exit(main())
