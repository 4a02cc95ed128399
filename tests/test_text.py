"""Normalisation and the analyzer: what a clause and a query are turned into."""

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.analysis.numerals import cn_to_int
from kb.analysis.tokenizers import KbTokenizer
from kb.vocab import default_vocab

ANALYSIS = default_vocab().analysis
normalize, normalize_with_offsets = ANALYSIS.normalize, ANALYSIS.normalize_with_offsets
segment, index_words, words = ANALYSIS.segment, ANALYSIS.index_words, ANALYSIS.words


@pytest.mark.parametrize("raw, expected", [
    ("十五个工作日", "15个工作日"),
    ("七日内", "7日内"),
    ("二十四小时", "24小时"),
    ("三个工作日", "3个工作日"),
    ("两个环节", "2个环节"),
    ("二〇二四年", "2024年"),
    ("第二十八条", "第28条"),
    ("一年内停电次数不超过五次", "1年内停电次数不超过5次"),
])
def test_counting_numerals_become_digits(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("word", ["三零", "一网通办", "十四五", "三新五优", "一次都不跑", "一次性告知", "第一时间",
                                  "一户一表", "一、总体目标", "（一）指导思想"])
def test_numerals_inside_words_stay(word):
    assert normalize(word) == normalize(word.replace(" ", "")) and any(c in normalize(word) for c in "一二三四五十")


def test_width_is_folded():
    assert normalize("（２）提前７天，１０ｋＶ") == "(2)提前7天,10kv"


@pytest.mark.parametrize("numeral, value", [("二十四", 24), ("十五", 15), ("一百零五", 105), ("两", 2),
                                            ("二〇二四", 2024), ("十", 10)])
def test_cn_to_int(numeral, value):
    assert cn_to_int(numeral) == value


def test_domain_dictionary_changes_segmentation():
    """Measured: jieba alone splits the domain words; with kb/data/dictionary.txt they stay whole."""
    sentence = "实行三零服务的低压非居民用户报装，装表接电，竣工检验"
    plain = jieba.Tokenizer()
    before = list(plain.cut(sentence, HMM=False))
    after = words(sentence)
    assert "三零" not in before and "装表接电" not in before and "竣工检验" not in before
    assert {"三零", "低压非居民", "报装", "装表接电", "竣工检验"} <= set(after)


def test_digits_and_units_are_kept():
    """jieba's ChineseAnalyzer drops one-character non-Chinese tokens such as the 3 of 3个工作日."""
    assert words("3个工作日") == ["3", "个", "工作日"]
    assert words("100%建设") == ["100", "%", "建设"]
    assert words("0.5个工作日")[0] == "0.5"


def test_subwords_share_the_position_of_their_word():
    pieces = list(segment("高压双电源用户"))
    positions = {p.text: p.pos for p in pieces}
    assert positions["高压双电源"] == positions["双电源"] == positions["高压"] == 0
    assert positions["用户"] == 1


def test_offsets_point_into_the_original_text():
    text = "提前七天通知（２）"
    spans = [(piece.text, text[piece.start:piece.end]) for piece in segment(text)]
    assert spans == [("提前", "提前"), ("7", "七"), ("天", "天"), ("通知", "通知"), ("2", "２")]


def test_whoosh_tokenizer_reports_positions_and_chars():
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in KbTokenizer(ANALYSIS)("供电方案答复 20", positions=True, chars=True)]
    assert ("供电方案答复", 0, 0, 6) in tokens
    assert ("20", 1, 7, 9) in tokens


SAMPLES = ["高压双电源客户不超过十五个工作日", "ＡＢＣ１２３ ﬁ İstanbul ΣΑΣ e\u0301 ㈠ ⑴ 第十二条 十四五 一律", "½ ℃ Ⅻ 3.5千瓦", ""]


@pytest.mark.parametrize("text", SAMPLES)
def test_index_words_are_the_texts_of_the_tokens(text):
    assert index_words(text) == [piece.text for piece in segment(text)]


@pytest.mark.parametrize("text", SAMPLES)
def test_normalize_is_the_text_normalize_with_offsets_maps(text):
    norm, origins = normalize_with_offsets(text)
    assert normalize(text) == norm and len(origins) == len(norm)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
       | st.text(alphabet="一二三四五六七八九十百千两零个日天条款供电客户工作小时ａ１ .，、", max_size=40))
def test_the_fast_paths_agree_with_the_offset_paths_on_any_text(text):
    assert normalize(text) == normalize_with_offsets(text)[0]
    assert index_words(text) == [piece.text for piece in segment(text)]


def test_every_unit_and_domain_list_lives_once_in_the_data_files():
    """Units are in units.yaml only (the counters, the facts', the FAQ check's and the answer families);
    全国, the status names, FAQ topics and title prefixes are read from the data, not typed into code."""
    import yaml

    from kb.vocab import DATA_DIR

    vocab = default_vocab()
    for name in ("facts.yaml", "answers.yaml"):
        data = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))
        assert not {"units", "unit_families", "time_families"} & set(data), name
    assert vocab.lexicon.units == vocab.units["figures"]
    assert vocab.nationwide == "全国" and vocab.in_force == "现行有效" and vocab.draft == "征求意见稿"
    assert "其他" in vocab.faq_topics and "中华人民共和国" in vocab.documents["title_prefixes"]


def test_no_status_region_or_extent_word_is_typed_into_the_code():
    """The statuses the code names, 全国 and the extents of a ``supersedes`` entry are read from the data
    (``Vocab.statuses``, ``Vocab.nationwide``, ``Vocab.extents``): no string constant of kb/ (docstrings
    aside) is one of them."""
    import ast
    from pathlib import Path

    vocab = default_vocab()
    names = vocab.documents
    words = {*names["status_names"].values(), *names["supersede_extents"].values(), vocab.nationwide}
    assert {vocab.statuses.draft, vocab.extents.amended} <= words
    typed = []
    for path in sorted((Path(__file__).resolve().parents[1] / "kb").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        typed += [f"{path.name}:{node.lineno} {node.value}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value in words and id(node) not in docstrings]
    assert typed == []


def test_a_runs_words_are_the_texts_of_its_tokens_on_the_corpus():
    """``run_words`` (a build's) makes the words without offsets and looks sub-words up per word."""
    import re

    from kb.analysis.segment import CJK, _RunCache
    from tests.conftest import CORPUS

    runs = {run for path in sorted(CORPUS.rglob("*.md"))
            for run in re.findall(f"[{CJK}]+", normalize(path.read_text(encoding="utf-8")))}
    cache = _RunCache(default_vocab().dictionary)
    assert len(runs) > 1000
    for run in sorted(runs):
        assert cache.run_words(run) == tuple(token[0] for token in cache.run_tokens(run)), run
        assert cache.run_words(run) == cache.words[run]


def test_a_builds_run_cache_holds_a_law_librarys_runs():
    """``load_all`` (a build of a large corpus) raises the run cache's bound, so a worker's 431,000 distinct
    runs are cut once each; a cache that never loaded all keeps the server's bound."""
    from kb.analysis.segment import _RunCache

    cache = _RunCache(default_vocab().dictionary)
    assert cache.limit == _RunCache.LIMIT
    cache.load_all()
    assert cache.limit == _RunCache.BUILD_LIMIT > 431_000
    words = cache.run_words("供电企业")
    assert cache.words["供电企业"] == words


def test_term_offsets_are_the_offsets_of_the_wanted_tokens_segment_yields():
    """``term_offsets`` (the highlighter's) gives the (start, end) of ``segment``'s tokens in ``wanted``, in its
    order, with and without a test of the runs to read, on the corpus."""
    from tests.conftest import CORPUS

    analysis = default_vocab().analysis
    wanted = {"供电企业", "应当", "用户", "7", "天", "内", "高压", "工作日", "电", "kv", "10", "%"}
    def within(run: str) -> bool:
        return "电" in run

    for path in sorted(CORPUS.rglob("*.md")):
        for text in path.read_text(encoding="utf-8").split("\n\n"):
            for test in (None, within):
                expected = [(p.start, p.end) for p in analysis.segment(text, within=test) if p.text in wanted]
                assert analysis.term_offsets(text, wanted, within=test) == expected, text
