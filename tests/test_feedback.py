"""The feedback store: what it keeps, what it refuses."""

import threading

import pytest

from kb.feedback import Feedback, FeedbackError, FeedbackStore


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
