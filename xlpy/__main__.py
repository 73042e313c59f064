"""``python -m xlpy``: the same as the ``xlpy`` command."""

import sys

from .cli import console

sys.exit(console())
