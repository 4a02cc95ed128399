"""The PostgreSQL feedback store (kb/feedback/postgres.py) against a real, throwaway PostgreSQL: a cluster made
with Debian's initdb in a temporary folder, listening on a Unix socket there only (as the ``postgres`` user
when the suite runs as root), stopped and removed afterwards. `make test` installs postgresql when missing."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from kb.errors import FeedbackUnavailable, SettingsError
from kb.feedback import Feedback, FeedbackStore, open_store
from tests.test_serve import free_port

psycopg = pytest.importorskip("psycopg")


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def postgres_url():
    bindir = _bindir()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("postgresql is not installed (make test installs it: scripts/install-services.sh)")
        pytest.skip("postgresql is not installed (apt-get install postgresql; make test does it as root)")
    folder = Path(tempfile.mkdtemp(prefix="kb-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to Debian's postgres user
        as_user = ["runuser", "-u", "postgres", "--"]
        folder.chmod(0o755)
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    data, log = folder / "data", folder / "log"

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command[0]} failed: {done.stderr[-2000:]}"

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
        f"-k {folder} -c listen_addresses='' -p {port} -F", "start")
    try:
        yield f"postgresql://postgres@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def store(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS feedback, missed")
    return open_store(url=postgres_url, max_missed=3)


def test_the_url_picks_postgresql_and_feedback_round_trips(store):
    assert type(store).__name__ == "PostgresFeedbackStore" and store.status() == "on"
    first = store.add(Feedback("answer", "高压双电源多久", "wrong", comment="第二行\n说明", region="鄂尔多斯市"))
    second = store.add(Feedback("faq", "faq-1", "useful"))
    assert second > first and store.count() == 2
    newest = store.feedback()
    assert [row["id"] for row in newest] == [second, first]
    assert newest[1]["comment"] == "第二行\n说明" and newest[1]["region"] == "鄂尔多斯市"


def test_missed_questions_are_counted_and_capped_as_in_sqlite(store, tmp_path):
    sqlite = FeedbackStore(tmp_path, max_missed=3)
    for each in (store, sqlite):
        for query in ["甲", "乙", "甲", "丙", "丁", "甲", "丁"]:
            assert each.record_miss(query)
    rows = [(row["query"], row["times"]) for row in store.missed()]
    assert rows == [(row["query"], row["times"]) for row in sqlite.missed()]
    assert rows[0] == ("甲", 3) and len(rows) == 3


def test_replicas_writing_at_once_lose_no_row(postgres_url, store):
    replicas = [open_store(url=postgres_url) for _ in range(3)]
    ids: list[int] = []

    def post(replica, number: int) -> None:
        for n in range(20):
            ids.append(replica.add(Feedback("answer", f"问题 {number}-{n}", "useful")))

    threads = [threading.Thread(target=post, args=(replica, number))
               for number, replica in enumerate(replicas) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(set(ids)) == 120 and store.count() == 120


def test_the_site_writes_its_feedback_to_postgresql(postgres_url, store, corpus_index_path, tmp_path):
    from web import create_app

    app = create_app({"KB_INDEX": str(corpus_index_path), "KB_DATA": str(tmp_path), "KB_FEEDBACK_URL": postgres_url,
                      "KB_RATE_LIMIT": "100000/minute", "TESTING": True})
    response = app.test_client().post("/api/feedback", json={"kind": "answer", "target": "停电多久通知",
                                                              "verdict": "useful"},
                                      headers={"Origin": "http://localhost"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert store.feedback()[0]["target"] == "停电多久通知"
    assert json.loads(app.test_client().get("/healthz").get_data())["feedback"] == "on"
    assert not (tmp_path / "feedback.sqlite3").exists()


def test_a_database_that_is_down_fails_the_write_not_the_answer(tmp_path):
    url = f"postgresql://postgres@/postgres?host={tmp_path}&port={free_port()}"
    store = open_store(url=url)
    assert store.available and store.status().startswith("failing: PostgreSQL")
    assert str(tmp_path) not in store.status()  # the public reason never names the server
    with pytest.raises(FeedbackUnavailable):
        store.add(Feedback("answer", "问题", "useful"))
    assert store.record_miss("问题") is False


def test_a_url_that_is_not_postgresqls_is_refused():
    with pytest.raises(SettingsError, match="KB_FEEDBACK_URL"):
        open_store(url="mysql://somewhere/db")
