"""The code stays ruff-clean and the library never imports Flask."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "kb", "web", "tests", "scripts", "docs"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kb_never_imports_flask():
    for path in (ROOT / "kb").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import flask" not in source.lower() and "from flask" not in source.lower(), path
