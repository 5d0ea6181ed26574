"""``python -m symkernel``: the command-line interface (same as the ``symkernel`` script)."""

import sys

from .cli import main

sys.exit(main())
