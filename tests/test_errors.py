"""kb's errors are one family (kb/errors.py), each with the HTTP status the site answers it with."""

import ast
import inspect
from pathlib import Path

import pytest

import kb.errors
from kb.errors import (
    CorpusError,
    FeedbackError,
    FeedbackUnavailable,
    IndexDamaged,
    IndexMissing,
    InputError,
    KbError,
    SearchError,
    UnavailableError,
    UnknownRegion,
)

ROOT = Path(__file__).resolve().parents[1]
# Control flow inside the scorer, never raised out of kb.
INTERNAL = {"DeadlinePassed"}


def _raised_and_defined() -> tuple[set[str], set[str]]:
    raised, defined = set(), set()
    for path in (ROOT / "kb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id.endswith(("Error", "Exception")) for base in node.bases):
                defined.add(node.name)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name):
                raised.add(node.exc.func.id)
    return raised, defined


def test_every_error_kb_defines_is_a_kb_error():
    _raised, defined = _raised_and_defined()
    family = {name for name, value in inspect.getmembers(kb.errors, inspect.isclass) if issubclass(value, KbError)}
    assert defined - INTERNAL <= family, defined - INTERNAL - family


def test_kb_raises_no_bare_value_error():
    """A bad input is an InputError naming what is wrong; a ValueError out of kb is a bug (a 500 on the site)."""
    raised, _defined = _raised_and_defined()
    assert "ValueError" not in raised


@pytest.mark.parametrize("error, status", [
    (InputError, 400), (SearchError, 400), (UnknownRegion, 400), (FeedbackError, 400),
    (IndexMissing, 503), (IndexDamaged, 503), (FeedbackUnavailable, 503), (UnavailableError, 503),
    (CorpusError, 500), (KbError, 500),
])
def test_each_error_says_its_status(error, status):
    assert error.status == status


def test_the_site_answers_an_error_by_its_status(client, monkeypatch):
    import web.queries

    def unavailable(*args, **kwargs):
        raise IndexMissing("no index at x: run `kb build` first")

    monkeypatch.setattr(web.queries, "ask", unavailable)
    response = client.get("/api/ask?q=停电")
    assert response.status_code == 503
    assert response.get_json() == {"error": "索引尚未建立", "detail": "no index at x: run `kb build` first",
                                   "status": 503}


def test_a_value_error_from_a_bug_is_a_500_not_a_400(client, monkeypatch):
    import web.queries

    def bug(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(web.queries, "ask", bug)
    response = client.get("/api/ask?q=停电")
    assert response.status_code == 500 and "a bug" not in response.get_data(as_text=True)
