"""A question names a document by its title, as people write it (kb/index/titles.py)."""

from kb.index.titles import Titles
from kb.vocab import default_vocab


def _titles(titles: dict[str, str]) -> Titles:
    vocab = default_vocab()
    return Titles(titles, vocab.analysis.normalize, vocab.documents["title_prefixes"],
                  vocab.documents["title_place_suffixes"])


def test_a_local_title_is_named_without_its_place_names_suffix():
    titles = _titles({"p": "滨州市停车场管理条例", "h": "山东省供热条例", "n": "内蒙古自治区优化用电营商环境方案"})
    assert titles.named("滨州停车场管理条例什么时候施行") == (["p"], " 什么时候施行")
    assert titles.named("山东供热条例规定几号开始供热")[0] == ["h"]
    assert titles.named("内蒙古优化用电营商环境方案的目标")[0] == ["n"]
    assert titles.named("滨州市停车场管理条例什么时候施行")[0] == ["p"]


def test_a_word_inside_a_title_is_not_taken_for_a_place_suffix():
    # 城市 in 城市供水条例 is not 城 + 市: no 城供水条例 is made up
    titles = _titles({"w": "城市供水条例", "l": "中华人民共和国电力法"})
    assert titles.named("城供水条例")[0] == []
    assert titles.named("电力法第几条讲窃电")[0] == ["l"]
