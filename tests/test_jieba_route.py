"""``Route`` cuts exactly as jieba's accurate mode without HMM does, only faster."""

from __future__ import annotations

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.analysis.jieba_route import Route
from kb.vocab import default_vocab
from tests.conftest import CORPUS, LAWREF


@pytest.fixture(scope="module", params=["lazy", "loaded", "compact"])
def domain(request):
    """jieba's tokenizer and a route over it: its probabilities looked up as met, all loaded at once
    (``load_all``, a build's), or over the compact dictionary all loaded (what a build cuts with)."""
    vocab = default_vocab()
    segmenter = vocab.segmenter
    route = Route(vocab.dictionary if request.param == "compact" else segmenter)
    if request.param != "lazy":
        route.load_all()
    return segmenter, route


def _sentences(paths) -> list[str]:
    return [line for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_corpus_is_cut_as_jieba_cuts_it(domain):
    segmenter, route = domain
    sentences = _sentences(sorted(CORPUS.rglob("*.md")))
    assert len(sentences) > 500
    for sentence in sentences:
        assert route.cut(sentence) == list(segmenter.cut(sentence, HMM=False)), sentence


def test_a_sample_of_the_law_library_is_cut_as_jieba_cuts_it(domain):
    if not LAWREF.exists():
        pytest.skip(f"{LAWREF} is not here")
    segmenter, route = domain
    for sentence in _sentences(sorted(LAWREF.rglob("*.md"))[::60]):
        assert route.cut(sentence) == list(segmenter.cut(sentence, HMM=False)), sentence


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="供电企业用户高压低压双电源工作日办理时间不超过的一二三十个ab1 ，。-_%\n\u3400\u9fffＡ", max_size=50))
def test_any_text_is_cut_as_jieba_cuts_it(domain, text):
    segmenter, route = domain
    assert route.cut(text) == list(segmenter.cut(text, HMM=False))


def test_words_added_to_the_dictionary_make_the_table_stale():
    segmenter = jieba.Tokenizer()
    route = Route(segmenter)
    assert route.current() and route.cut("零投资接入") == list(segmenter.cut("零投资接入", HMM=False))
    segmenter.add_word("零投资接入", 100000)
    assert not route.current()
    assert Route(segmenter).cut("零投资接入") == ["零投资接入"]


def test_a_loaded_route_holds_every_word_and_prefix():
    segmenter = jieba.Tokenizer()
    route = Route(segmenter)
    route.load_all()
    # 供电 is a word; a prefix of a longer word only, if any, scores -inf and never wins over a word.
    assert route.cut("供电企业") == list(segmenter.cut("供电企业", HMM=False))
    assert route.cut("") == [] and route.cut("a1 供") == list(segmenter.cut("a1 供", HMM=False))


def test_the_latin_characters_joined_are_those_jiebas_pattern_matches():
    from kb.analysis.jieba_route import ENG_CHARACTERS, re_eng

    assert ENG_CHARACTERS == {chr(point) for point in range(0x30000) if re_eng.match(chr(point))}
