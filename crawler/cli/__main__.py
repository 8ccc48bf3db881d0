"""``python -m crawler.cli``: the ``souverain`` command."""

import sys

from crawler.cli import main

sys.exit(main())
