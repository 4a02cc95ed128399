"""The ``kb`` command: build, search, ask, facts, add, eval, check, serve."""

from kb.cli.main import main

__all__ = ["main"]
