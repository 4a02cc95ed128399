"""The compact dictionary (kb/analysis/dictionary.py) cuts every text as jieba with the domain dictionary does,
to the last token, and a one-shot question never loads jieba."""

from __future__ import annotations

import os
import subprocess
import sys

import jieba
import pytest

from kb.analysis import jieba_route
from kb.analysis.dictionary import CompactDictionary
from kb.analysis.jieba_route import Route
from kb.analysis.segment import Segmenter
from kb.vocab import default_vocab
from tests.conftest import CORPUS, LAWREF, ROOT


@pytest.fixture(scope="module")
def full():
    return default_vocab().segmenter  # jieba's tokenizer with the domain words: the reference


def _texts(step: int) -> list[str]:
    paths = sorted(CORPUS.rglob("*.md"))
    if LAWREF.exists():
        paths += sorted(LAWREF.rglob("*.md"))[::step]
    return [path.read_text(encoding="utf-8") for path in paths]


def test_the_file_holds_jiebas_dictionary_exactly(full, tmp_path):
    compact = CompactDictionary.cached("a test key", lambda: full, tmp_path)
    assert list(tmp_path.iterdir())  # written, and read back by the next process
    again = CompactDictionary.cached("a test key", lambda: pytest.fail("made twice"), tmp_path)
    for dictionary in (compact, again):
        assert dictionary.total == full.total and len(dictionary.FREQ) == len(full.FREQ)
        dictionary.ensure_all()
        assert dictionary.loaded == full.FREQ


@pytest.mark.parametrize("damage", [b"", b"not a dictionary", "cut"])
def test_a_damaged_file_is_made_again(full, tmp_path, damage):
    CompactDictionary.cached("key", lambda: full, tmp_path)
    [path] = tmp_path.iterdir()
    path.write_bytes(path.read_bytes()[:100_000] if damage == "cut" else damage)
    compact = CompactDictionary.cached("key", lambda: full, tmp_path)
    assert compact.total == full.total and compact.FREQ.get("供电企业") == full.FREQ["供电企业"]
    assert CompactDictionary.decode(path.read_bytes()) is not None  # and written whole again


def test_an_unwritable_cache_still_gives_the_dictionary(full, tmp_path):
    blocked = tmp_path / "a file"
    blocked.write_text("")
    compact = CompactDictionary.cached("key", lambda: full, blocked / "cache")
    assert compact.total == full.total and "供电企业" in compact.FREQ


def test_words_are_looked_up_one_at_a_time_as_in_jieba(full):
    compact = default_vocab().dictionary
    for word in ["供电企业", "双电源", "工作日", "供", "不存在的词语甲乙", "a", "", "鄂尔多斯市"]:
        assert (word in compact.FREQ) == (word in full.FREQ)
        assert compact.FREQ.get(word) == full.FREQ.get(word)


def test_jiebas_patterns_are_still_the_ones_copied():
    for name in ("re_han_default", "re_skip_default", "re_eng"):
        ours, theirs = getattr(jieba_route, name), getattr(jieba, name)
        assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags), name


def test_the_corpus_and_a_large_sample_of_the_law_library_cut_as_jieba_cuts_them(full):
    """Every line of the corpus and of every 12th law: Route over the compact dictionary == jieba's own cut."""
    route = Route(default_vocab().dictionary)
    lines = [line for text in _texts(12) for line in text.splitlines() if line.strip()]
    assert len(lines) > (25_000 if LAWREF.exists() else 500)
    for line in lines:
        assert route.cut(line) == list(full.cut(line, HMM=False)), line


def test_the_analysis_gives_the_same_tokens_as_over_jiebas_tokenizer(full):
    """Every token (words, sub-words, positions, offsets) of the corpus and every 40th law."""
    vocab = default_vocab()
    ours = vocab.analysis
    reference = Segmenter(ours.normaliser, full)
    for text in _texts(40):
        assert list(ours.segment(text)) == list(reference.segment(text))
        assert ours.index_words(text) == reference.index_words(text)


def test_a_one_shot_question_never_imports_jieba(corpus_index_path):
    default_vocab().dictionary  # noqa: B018 — the compact file exists, as after any kb build
    script = ("import sys\nfrom kb.cli.main import main\n"
              f"main(['--index', {str(corpus_index_path)!r}, 'ask', '计划检修停电要提前几天通知用户'])\n"
              "print('jieba imported' if 'jieba' in sys.modules else 'no jieba', file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() and run.stderr.strip().splitlines()[-1] == "no jieba"
