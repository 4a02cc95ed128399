"""``python -m kb.cli``: the ``kb`` command."""

import sys

from kb.cli.commands import main

sys.exit(main())
