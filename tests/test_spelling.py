"""The speller: a slip of the IME read as the word meant, and only then (kb.answer.spelling)."""

import datetime as dt

import pytest

from kb.answer import ask
from kb.index import OpenIndex, build
from kb.vocab import default_vocab
from tests.conftest import write_doc

TODAY = dt.date(2026, 11, 23)


def test_a_homophone_is_a_character_of_the_same_reading():
    vocab = default_vocab()
    assert {"正", "整"} <= vocab.homophones("政")
    assert "增" in vocab.homophones("曾")  # 曾 reads ceng and zeng
    assert "政" not in vocab.homophones("政")


def test_a_rare_reading_makes_no_homophone():
    """还 may read fu in old texts, as 不 may: 还得 is no slip of 不得."""
    assert "不" not in default_vocab().homophones("还")


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("spelling")
    write_doc(root / "corpus", "r1", "某市配电网管理办法",
              "第三条 鼓励社会资本投资建设增量配电网，增量配电网项目由市发展改革委核准。\n\n"
              "第四条 违反本办法第三条规定的，最多罚款五万元。\n")
    build(root / "corpus", root / "index")
    return OpenIndex(root / "index")


def test_two_characters_typed_with_a_homophone_are_read_as_the_word_the_clauses_use(small_index):
    answer = ask(small_index, "曾量配电网项目由谁核准", on=TODAY)
    assert answer.understood["did_you_mean"] == "增量"
    assert answer.answer.startswith("您是不是要找：增量。")


@pytest.mark.parametrize("question", ["增量配电网项目由谁核准", "违反第三条最多罚多少", "配电网项目还得谁核准"])
def test_words_the_clauses_say_or_a_slip_they_do_not_use_are_not_corrected(small_index, question):
    assert ask(small_index, question, on=TODAY).understood["did_you_mean"] == ""


def test_a_stretch_the_clauses_found_say_as_typed_is_no_typo(tmp_path):
    """居民用气 is one character from the customer type 居民用户, but a gas rule says it as typed."""
    write_doc(tmp_path / "corpus", "g1", "某市燃气管理条例", "第九条 居民用气价格为每立方米二点五元。\n")
    build(tmp_path / "corpus", tmp_path / "index")
    answer = ask(OpenIndex(tmp_path / "index"), "居民用气价格每立方米多少钱", on=TODAY)
    assert answer.understood["did_you_mean"] == ""
