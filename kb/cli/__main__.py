"""``python -m kb.cli``: the ``kb`` command."""

import sys

from kb.cli.main import main

sys.exit(main())
