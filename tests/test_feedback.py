"""The feedback store: what it keeps, what it refuses."""

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from kb.errors import FeedbackError, FeedbackUnavailable
from kb.feedback import Feedback, FeedbackStore


def test_feedback_and_missed_questions_are_kept(tmp_path):
    store = FeedbackStore(tmp_path)
    store.add(Feedback("answer", "高压双电源多久能通电", "wrong", comment="数字不对\n请核实", answer="…32个工作日"))
    store.record_miss("社保卡丢了怎么补办")
    store.record_miss("社保卡丢了怎么补办")
    [row] = store.feedback()
    assert (row["verdict"], row["comment"]) == ("wrong", "数字不对\n请核实")
    assert store.missed()[0]["times"] == 2
    assert (tmp_path / "feedback.sqlite3").exists()


@pytest.mark.parametrize("feedback, message", [
    (Feedback("answer", "q", "maybe"), "有用"),
    (Feedback("other", "q", "useful"), "answer 或 faq"),
    (Feedback("faq", " ", "useful"), "缺少反馈对象"),
    (Feedback("faq", "x", "useful", comment="长" * 2001), "最多 2000 字"),
])
def test_bad_feedback_is_refused_with_a_reason(tmp_path, feedback, message):
    with pytest.raises(FeedbackError, match=message):
        FeedbackStore(tmp_path).add(feedback)


def test_concurrent_writers_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path)

    def write(n):
        for i in range(25):
            store.add(Feedback("faq", f"entry-{n}-{i}", "useful"))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 100


def _open_store_at(data_dir: str, start: float, results) -> None:
    while time.time() < start:  # every process opens the database in the same instant
        pass
    results.put(FeedbackStore(Path(data_dir)).off_reason)


def test_servers_starting_together_all_take_feedback(tmp_path):
    # Replicas or workers start at once; switching the database to WAL is a lock SQLite does not wait
    # for, and the loser used to run its whole life with feedback off ("database is locked").
    context = multiprocessing.get_context("fork")
    for round_number in range(12):
        data_dir = tmp_path / str(round_number)
        results = context.Queue()
        start = time.time() + 0.2
        processes = [context.Process(target=_open_store_at, args=(str(data_dir), start, results)) for _ in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        assert [results.get(timeout=5) for _ in processes] == ["", "", "", ""]


# ----------------------------------------------------------------------------------- every field is validated


@pytest.mark.parametrize("field", ["kind", "target", "verdict", "comment", "answer", "region"])
@pytest.mark.parametrize("value", [5, 1.5, None, True, ["faq"], {"a": 1}])
def test_a_field_that_is_not_text_is_refused(field, value):
    data = {"kind": "faq", "target": "x", "verdict": "useful", field: value}
    with pytest.raises(FeedbackError, match=f"字段 {field} 应为文字"):
        Feedback.from_mapping(data)


@pytest.mark.parametrize("field", ["target", "comment", "answer", "region"])
def test_lone_surrogates_and_nul_are_dropped_from_every_field(tmp_path, field):
    store = FeedbackStore(tmp_path)
    value = {"region": "鄂尔多斯\ud800\x00"}.get(field, "有\ud800效\x00文字")
    store.add(Feedback.from_mapping({"kind": "faq", "target": "x", "verdict": "useful", field: value}))
    [row] = store.feedback()
    assert row[field] == {"region": "鄂尔多斯市"}.get(field, "有效文字")


@pytest.mark.parametrize("field, blank", [
    ("target", "\u200b\u200d\ufeff"), ("target", " \u3000\t\n"), ("target", "\x00"), ("kind", "\u200b"),
    ("verdict", "  "),
])
def test_an_invisible_or_blank_required_field_is_empty(field, blank):
    with pytest.raises(FeedbackError):
        Feedback.from_mapping({"kind": "faq", "target": "x", "verdict": "useful", field: blank})


def test_blank_optional_fields_are_stored_empty(tmp_path):
    store = FeedbackStore(tmp_path)
    store.add(Feedback.from_mapping({"kind": "faq", "target": "x", "verdict": "useful", "comment": "\u200b \u3000",
                                     "answer": "\x00", "region": "\u200b"}))
    [row] = store.feedback()
    assert (row["comment"], row["answer"], row["region"]) == ("", "", "")


@pytest.mark.parametrize("region, stored", [("鄂尔多斯", "鄂尔多斯市"), ("巴彦淖尔市", "巴彦淖尔市"), ("全国", "全国"),
                                            ("", "")])
def test_the_region_is_a_known_region(tmp_path, region, stored):
    store = FeedbackStore(tmp_path)
    store.add(Feedback.from_mapping({"kind": "answer", "target": "q", "verdict": "wrong", "region": region}))
    assert store.feedback()[0]["region"] == stored


@pytest.mark.parametrize("region", ["火星", "nonsense", "鄂尔多斯" * 20, "<script>"])
def test_an_unknown_region_is_refused(region):
    with pytest.raises(FeedbackError, match="未知地区"):
        Feedback.from_mapping({"kind": "answer", "target": "q", "verdict": "wrong", "region": region})


# ----------------------------------------------------------------------------- an unwritable KB_DATA


def _probe_writable(folder) -> bool:
    try:
        (folder / "probe").touch()
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


@pytest.fixture(params=["chmod-0555", "under-a-regular-file", "immutable"])
def unwritable_data_dir(request, tmp_path):
    """A KB_DATA that really cannot be written — three ways, since chmod does not stop root."""
    import shutil
    import subprocess

    if request.param == "under-a-regular-file":
        (tmp_path / "file").write_text("not a folder")
        yield tmp_path / "file" / "sub"
        return
    folder = tmp_path / "data"
    folder.mkdir()
    if request.param == "chmod-0555":
        folder.chmod(0o555)
        undo = ["chmod", "0755", str(folder)]
    else:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("chattr +i is not available here")
        undo = ["chattr", "-i", str(folder)]
    try:
        if _probe_writable(folder):
            pytest.skip(f"{request.param} does not stop writes for this user (root)")
        yield folder
    finally:
        subprocess.run(undo, check=True)


def test_an_unwritable_data_dir_turns_feedback_off_without_raising(unwritable_data_dir):
    store = FeedbackStore(unwritable_data_dir)
    assert not store.available and store.status().startswith("off: ")
    assert str(unwritable_data_dir) not in store.status()  # the reason is public on /healthz: no paths
    assert store.record_miss("社保卡丢了怎么补办") is False
    with pytest.raises(FeedbackUnavailable):
        store.add(Feedback("faq", "x", "useful"))
    with pytest.raises(FeedbackUnavailable):
        store.feedback()


def _full_disk(monkeypatch):
    """Every new connection may not grow the database file by a page: SQLite's own SQLITE_FULL
    ("database or disk is full"), as when the disk fills up."""
    import sqlite3

    connect = sqlite3.connect

    def full(*args, **kwargs):
        db = connect(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return db

    monkeypatch.setattr(sqlite3, "connect", full)


def test_a_full_disk_fails_the_write_not_the_caller(tmp_path, monkeypatch):
    store = FeedbackStore(tmp_path)
    with monkeypatch.context() as patch:
        _full_disk(patch)
        with pytest.raises(FeedbackUnavailable, match="full"):
            store.add(Feedback("answer", "q", "wrong", comment="长" * 2000))
        counted = [store.record_miss(f"问题{n}" + "长" * 490) for n in range(30)]
        assert counted[-1] is False  # the table filled its pages; no exception reached the caller
        assert store.status() == "failing: database or disk is full"
    store.add(Feedback("answer", "q", "wrong", comment="长" * 2000))  # space again: writes work again
    assert store.status() == "on" and store.count() == 1


# ------------------------------------------------------------------------- misses are counted, and capped


def _rows(path) -> list[tuple]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT query, region, times FROM missed ORDER BY id").fetchall()


def test_repeated_misses_are_counted_in_one_row(tmp_path):
    store = FeedbackStore(tmp_path)
    for _ in range(3):
        store.record_miss("社保卡丢了怎么补办", "鄂尔多斯市")
    store.record_miss("社保卡丢了怎么补办")
    assert _rows(store.path) == [("社保卡丢了怎么补办", "鄂尔多斯市", 3), ("社保卡丢了怎么补办", "", 1)]
    first = store.missed()[0]
    assert (first["times"], first["region"]) == (3, "鄂尔多斯市") and first["last"]


def test_an_old_missed_table_is_migrated_in_place_without_losing_rows(tmp_path):
    import sqlite3
    from contextlib import closing

    path = tmp_path / "feedback.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:  # the schema before counting: one row per miss
        db.execute("CREATE TABLE missed (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
                   "query TEXT NOT NULL, region TEXT NOT NULL DEFAULT '')")
        db.executemany("INSERT INTO missed (created_at, query, region) VALUES (?, ?, ?)",
                       [("2026-01-01T10:00:00", "甲", ""), ("2026-01-03T10:00:00", "甲", ""),
                        ("2026-01-02T10:00:00", "乙", "全国"), ("2026-01-04T10:00:00", "甲", "")])
    store = FeedbackStore(tmp_path)
    assert sorted(_rows(path)) == [("乙", "全国", 1), ("甲", "", 3)]
    assert store.missed()[0] == {"query": "甲", "region": "", "times": 3, "last": "2026-01-04T10:00:00"}
    store.record_miss("甲")
    assert store.missed()[0]["times"] == 4
    FeedbackStore(tmp_path)  # opening a migrated store again changes nothing
    assert sorted(_rows(path)) == [("乙", "全国", 1), ("甲", "", 4)]


def test_the_missed_table_is_capped_dropping_the_least_asked_oldest(tmp_path):
    store = FeedbackStore(tmp_path, max_missed=5)
    for _ in range(3):
        store.record_miss("常问的问题")
    for n in range(12):
        store.record_miss(f"只问一次的问题{n}")
    questions = [row[0] for row in _rows(store.path)]
    assert len(questions) == 5
    assert "常问的问题" in questions  # asked three times: outlives the one-off questions
    assert "只问一次的问题11" in questions and "只问一次的问题0" not in questions  # the oldest one-offs went
