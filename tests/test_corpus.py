"""Reading the corpus and importing new policy files with `kb add`."""

import pytest

from kb.corpus import CorpusError, import_file, infer_metadata, load_corpus
from tests.conftest import CORPUS, LAWREF, requires_shared, write_doc

NATIONAL = ["电力法", "电力供应与使用条例", "优化营商环境条例", "电力监管条例", "能源法"]


def test_the_corpus_loads_with_unique_ids_and_required_metadata():
    documents = load_corpus(CORPUS)
    assert len({d.id for d in documents}) == len(documents) >= 10
    for document in documents:
        assert document.title and document.region and document.status
        assert document.meta.get("source"), document.id


def test_the_national_framework_is_in_the_corpus():
    titles = [d.title for d in load_corpus(CORPUS)]
    for name in NATIONAL:
        assert any(title.endswith(name) for title in titles), name


def test_a_file_without_front_matter_id_is_a_clear_error(tmp_path):
    (tmp_path / "bad.md").write_text("---\ntitle: x\n---\n正文", encoding="utf-8")
    with pytest.raises(CorpusError, match="bad.md: front matter lacks id"):
        load_corpus(tmp_path)


def test_broken_yaml_names_the_file(tmp_path):
    (tmp_path / "broken.md").write_text("---\nid: [unclosed\n---\n正文", encoding="utf-8")
    with pytest.raises(CorpusError, match="broken.md: cannot read"):
        load_corpus(tmp_path)


def test_metadata_is_inferred_from_a_local_notice():
    text = ("巴彦淖尔市人民政府办公室\n\n巴政办字〔2030〕12号\n\n关于印发某某行动方案的通知\n\n"
            "各旗县：\n\n现印发给你们。\n\n2030年3月5日印发\n\n本方案自2030年4月1日起施行。\n")
    meta = infer_metadata(text)
    assert meta["title"] == "巴彦淖尔市人民政府办公室"  # the first line, as stated for plain text
    assert meta["doc_number"] == "巴政办字〔2030〕12号"
    assert meta["region"] == "巴彦淖尔市"
    assert meta["issued"] == "2030-03-05"
    assert meta["effective"] == "2030-04-01"


def test_a_draft_is_recognised_from_its_title():
    meta = infer_metadata("# 某某办法（征求意见稿）\n\n第一条 为了规范。\n")
    assert meta["status"] == "征求意见稿"


def test_lawref_regulation_imports_with_title_dates_and_articles(tmp_path):
    source = requires_shared(LAWREF / "行政法规" / "电力供应与使用条例(2019-03-02).md")
    result = import_file(source, tmp_path)
    assert result.added, result.message
    document = result.document
    assert document.title == "电力供应与使用条例"
    assert document.meta["issued"] == "1996-04-17"
    assert document.meta["effective"] == "1996-09-01"
    assert document.meta["amended"] == "2019-03-02"
    assert document.region == "全国" and document.kind == "行政法规"
    article = document.parsed.clause("a28")
    assert article.label == "第二十八条" and "提前7天通知用户" in article.text


def test_importing_the_same_file_twice_keeps_one_copy(tmp_path):
    source = tmp_path / "notice.txt"
    source.write_text("关于停电的通知\n\n一、计划停电提前七天公告。\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    assert import_file(source, corpus).added
    again = import_file(source, corpus)
    assert not again.added and "already in the corpus" in again.message
    assert len(load_corpus(corpus)) == 1


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"\xff\xfe\x00bad", "not a UTF-8 text file")])
def test_bad_files_are_refused_with_a_reason(tmp_path, content, message):
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    result = import_file(source, tmp_path / "corpus")
    assert not result.added and message in result.message


def test_overrides_win_and_unknown_regions_are_refused(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("某通知\n\n一、做好工作。\n", encoding="utf-8")
    result = import_file(source, tmp_path / "c", {"region": "鄂尔多斯", "status": "已废止", "title": "新标题"})
    assert (result.document.region, result.document.status, result.document.title) == ("鄂尔多斯市", "已废止", "新标题")
    refused = import_file(source, tmp_path / "d", {"region": "火星"})
    assert not refused.added and "unknown region" in refused.message


def test_write_doc_helper_round_trips(tmp_path):
    write_doc(tmp_path, "x1", "标题", "一、内容。\n", region="内蒙古自治区")
    assert load_corpus(tmp_path)[0].region == "内蒙古自治区"
