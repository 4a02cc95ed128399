"""Reading the corpus and importing new policy files with `kb add`."""

import datetime as dt
import os
from pathlib import Path

import pytest

from kb.corpus import import_file, infer_metadata, load_corpus
from kb.errors import CorpusError
from kb.parse import parse_document
from kb.vocab import default_vocab
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
    with pytest.raises(CorpusError, match=r"broken.md: front matter is not valid YAML \(line 2: expected ','"):
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
    article = parse_document(document).clause("a28")
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
    assert not refused.added and "未知地区" in refused.message


def test_write_doc_helper_round_trips(tmp_path):
    write_doc(tmp_path, "x1", "标题", "一、内容。\n", region="内蒙古自治区")
    assert load_corpus(tmp_path)[0].region == "内蒙古自治区"


# -- kb add never overwrites, never escapes, never half-writes ----------------------------------------------


def _source(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def corpus_copy(tmp_path):
    import shutil

    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_id_already_in_use_is_refused_and_the_seed_stays_as_it_was(corpus_copy, tmp_path):
    before = _snapshot(corpus_copy)
    for taken in ("000", "001", "009"):
        source = _source(tmp_path, f"as-{taken}.md", f'---\nid: "{taken}"\ntitle: 冒名文件\n---\n\n一、任意内容{taken}。\n')
        result = import_file(source, corpus_copy)
        assert not result.added and f"id {taken} is already used" in result.message
    assert _snapshot(corpus_copy) == before


@pytest.mark.parametrize("bad_id", ["../../escaped", "{absolute}", "sub/dir", ".hidden", "..", "a" * 65,
                                    "有 空格", "x\x00y"])
def test_an_id_that_is_not_a_plain_name_is_refused_and_nothing_is_written(corpus_copy, tmp_path, bad_id):
    absolute = tmp_path / "outside" / "kb-absolute-escape"
    bad_id = bad_id.replace("{absolute}", str(absolute))
    source = _source(tmp_path, "bad-id.md", f"---\nid: {json_quote(bad_id)}\ntitle: 越界文件\n---\n\n一、内容。\n")
    before = _snapshot(corpus_copy)
    outside = _snapshot(tmp_path.parent)
    result = import_file(source, corpus_copy)
    assert not result.added and "is not a plain name" in result.message
    assert _snapshot(corpus_copy) == before
    assert _snapshot(tmp_path.parent).keys() == outside.keys()
    assert not absolute.with_suffix(".md").exists() and not absolute.parent.exists()


def json_quote(text):
    import json

    return json.dumps(text, ensure_ascii=False)


def test_a_given_plain_id_that_is_free_is_kept(tmp_path):
    source = _source(tmp_path, "own.md", "---\nid: my-notice_1\ntitle: 自带编号的通知\n---\n\n一、内容。\n")
    result = import_file(source, tmp_path / "corpus")
    assert result.added and result.document.id == "my-notice_1"
    assert (tmp_path / "corpus" / "my-notice_1.md").exists()


def test_an_identical_file_is_skipped_with_a_message_and_a_changed_text_is_a_new_version(tmp_path):
    corpus = tmp_path / "corpus"
    first = _source(tmp_path, "v1.md", "# 某某供电服务规定\n\n2020年1月2日发布\n\n第一条 计划停电提前七天通知。\n")
    assert import_file(first, corpus).added
    same = import_file(_source(tmp_path, "copy.md", first.read_text(encoding="utf-8") + "\n\n"), corpus)
    assert not same.added and "skipped, already in the corpus as 000" in same.message
    amended = _source(tmp_path, "v2.md", "# 某某供电服务规定\n\n2024年5月6日修订\n\n第一条 计划停电提前五天通知。\n")
    result = import_file(amended, corpus)
    assert result.added and "a new version of 000" in result.message
    assert result.document.meta["amended"] == "2024-05-06"
    assert {"id": "000", "title": "某某供电服务规定", "extent": "修订"} in result.document.meta["supersedes"]

    from kb.answer.standing import standings

    metas = {d.id: {**d.meta, "title": d.title} for d in load_corpus(corpus)}
    standing = standings(metas, None, dt.date(2026, 12, 1))
    assert standing["001"].binding and not standing["000"].binding
    assert standing["000"].effective_status == "已被修改" and standing["000"].superseded_by == ["001"]


def test_an_older_version_imported_after_the_newer_one_is_marked_amended(tmp_path):
    corpus = tmp_path / "corpus"
    assert import_file(_source(tmp_path, "new.md", "# 某办法\n\n2024年5月6日发布\n\n第一条 五天。\n"), corpus).added
    older = import_file(_source(tmp_path, "old.md", "# 某办法\n\n2010年5月6日发布\n\n第一条 七天。\n"), corpus)
    assert older.added and "an older version of 000" in older.message
    assert older.document.status == "已被修改"


def test_concurrent_kb_add_runs_keep_every_file(tmp_path):
    import subprocess
    import sys

    kb = Path(sys.executable).with_name("kb")
    corpus = tmp_path / "corpus"
    write_doc(corpus, "000", "已有文件", "一、已有内容。\n")
    sources = [_source(tmp_path, f"n{i}.md", f"# 第{i}号并发通知\n\n一、并发导入的内容{i}。\n") for i in range(4)]
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(tmp_path / "index"), "KB_DATA": str(tmp_path)}
    runs = [subprocess.Popen([str(kb), "add", str(s)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for s in sources]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    documents = load_corpus(corpus)
    assert len(documents) == 5 and len({d.id for d in documents}) == 5
    assert sorted(d.title for d in documents if d.id != "000") == sorted(f"第{i}号并发通知" for i in range(4))


def test_a_write_that_fails_midway_leaves_no_document_and_says_why(tmp_path, monkeypatch):
    import errno

    import kb.corpus.files

    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, bytes(data)[: max(1, len(data) // 2)])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kb.corpus.files.os, "write", half_then_full)
    corpus = tmp_path / "corpus"
    source = _source(tmp_path, "long.md", "# 某长文件\n\n" + "一、供电企业应当提前七天通知用户。\n" * 200)
    result = import_file(source, corpus)
    assert not result.added and "nothing was written" in result.message and "磁盘已满" in result.message
    assert [p.name for p in corpus.iterdir() if not p.name.startswith(".kb-corpus.lock")] == []


def test_a_really_full_disk_leaves_the_corpus_as_it_was(tmp_path):
    small = _small_filesystem(tmp_path / "small", "16k")
    corpus = small / "corpus"
    assert import_file(_source(tmp_path, "a.md", "# 小文件\n\n一、内容。\n"), corpus).added
    before = _snapshot(corpus)
    big = _source(tmp_path, "big.md", "# 大文件\n\n" + "一、供电企业应当提前七天通知用户。\n" * 2000)
    result = import_file(big, corpus)
    assert not result.added and "磁盘已满" in result.message
    assert _snapshot(corpus) == before and len(load_corpus(corpus)) == 1


def test_a_read_only_corpus_is_a_one_line_message(tmp_path):
    small = _small_filesystem(tmp_path / "ro", "64k")
    corpus = small / "corpus"
    write_doc(corpus, "000", "已有文件", "一、已有内容。\n")
    import subprocess

    subprocess.run(["mount", "-o", "remount,ro", str(small)], check=True)
    with pytest.raises(CorpusError, match="无法加锁写入") as raised:
        import_file(_source(tmp_path, "a.md", "# 新文件\n\n一、内容。\n"), corpus)
    assert "\n" not in str(raised.value)
    assert [d.id for d in load_corpus(corpus)] == ["000"]  # reading a read-only corpus still works


def _small_filesystem(path, size):
    """A real tmpfs of ``size`` (root only, where mounting is allowed), unmounted after the test."""
    import subprocess

    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a small file system needs root (the monkeypatched full-disk test still runs)")
    _MOUNTS.append(path)
    return path


_MOUNTS: list = []


@pytest.fixture(autouse=True)
def _unmount():
    yield
    import subprocess

    while _MOUNTS:
        subprocess.run(["umount", "-l", str(_MOUNTS.pop())], capture_output=True)


@pytest.mark.parametrize("front, message", [
    ("id: [unclosed", "front matter is not valid YAML"),
    ("- a\n- b", "front matter is a list, not a mapping"),
    ("id: x1\ntitle: 某文件\nregion: 全国\nstatus: 现行有效\nissued: 2024-13-45", "issued '2024-13-45' is not a date"),
    ("id: x1\ntitle: [甲, 乙]\nregion: 全国\nstatus: 现行有效", "title must be text, not list"),
    ("id: x1\ntitle: 某文件\nregion: 火星\nstatus: 现行有效", "未知地区“火星”"),
    ("id: x1\ntitle: 某文件\nregion: 全国\nstatus: 大概有效", "未知状态“大概有效”"),
    ("id: ../x\ntitle: 某文件\nregion: 全国\nstatus: 现行有效", "is not a plain name"),
])
def test_malformed_front_matter_is_one_line_naming_the_problem(tmp_path, front, message):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.md").write_text(f"---\n{front}\n---\n\n一、内容。\n", encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus(corpus)
    assert message in str(raised.value) and "bad.md" in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("front, message", [
    ("- a\n- b", "front matter is a list"),
    ("title: 某文件\nissued: 2024-13-45", "issued '2024-13-45' is not a date"),
    ("title: [甲, 乙]", "title must be text"),
    ("title: 某文件\nregion: 火星", "未知地区“火星”"),
])
def test_kb_add_of_malformed_front_matter_is_refused_with_one_line(tmp_path, front, message):
    source = _source(tmp_path, "bad.md", f"---\n{front}\n---\n\n# 某文件\n\n一、内容。\n")
    result = import_file(source, tmp_path / "corpus")
    assert not result.added and message in result.message and "\n" not in result.message


def test_a_city_regulation_binds_in_its_city_not_the_whole_country(tmp_path):
    """洛阳市集中供热条例 is 洛阳市's (under 河南省), not a national rule: the cities lawref's local regulations come
    from are regions (kb/data/cities.yaml, written by scripts/cities_from_lawref.py)."""
    source = tmp_path / "洛阳市集中供热条例.md"
    source.write_text("# 洛阳市集中供热条例\n\n第一条 为了规范集中供热。\n", encoding="utf-8")
    result = import_file(source, tmp_path / "c")
    assert result.added and result.document.region == "洛阳市"
    vocab = default_vocab()
    assert vocab.region_chain("洛阳市") == ["洛阳市", "河南省", "全国"]
    assert vocab.regions_named_in("洛阳热力公司停业") == ["洛阳市"]
    assert vocab.regions_named_in("商品开封后不能退") == []  # 开封 is also a verb: only 开封市 names the city


def test_the_city_list_is_what_the_script_reads_from_lawref(tmp_path):
    """cities.yaml is data written by a command, not by hand: the script run on lawref gives the same file."""
    import subprocess
    import sys

    lawref = requires_shared(LAWREF)
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, str(root / "scripts" / "cities_from_lawref.py"), str(lawref),
                    str(tmp_path / "cities.yaml")], check=True, capture_output=True)
    written = (root / "kb" / "data" / "cities.yaml").read_text(encoding="utf-8")
    assert (tmp_path / "cities.yaml").read_text(encoding="utf-8") == written


def test_libyaml_front_matter_reads_as_the_python_loader():
    """The build reads front matter with libyaml's parser; every value must be the one the pure-Python
    loader gives (dates kept as text, nulls, quoted numbers, lists of references), on the corpus and a
    few hand-made texts."""
    import yaml

    from kb.corpus import documents

    if documents._FAST_LOADER is None:
        pytest.skip("PyYAML without libyaml")
    texts = [documents.FRONT_MATTER.match(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.md"))]
    fronts = [m.group(1) for m in texts if m]
    fronts += ["issued: 2024-01-01\namended: null\nid: '007'\nno: 12", "supersedes:\n- ref: a\n  extent: 全部\n- 乙",
               "title: \"带\\t转义\"\nnotes: |\n  两行\n  文字"]
    assert len(fronts) >= 13
    for front in fronts:
        assert repr(documents._load_yaml(front)) == repr(yaml.load(front, Loader=documents._FrontMatterLoader))  # noqa: S506
