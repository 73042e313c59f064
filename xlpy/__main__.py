"""``python -m xlpy``: the same as the ``xlpy`` command."""

import sys

from .cli import main

sys.exit(main())
