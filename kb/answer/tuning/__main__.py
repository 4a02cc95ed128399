"""``python -m kb.answer.tuning``: refit the answer model (``make tune``)."""

import sys

from kb.answer.tuning.command import main

sys.exit(main())
