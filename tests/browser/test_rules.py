"""The staff rule sheet in a real browser: binding rows first, drafts behind a switch, CSV, print."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

from tests.browser.conftest import SCREENSHOTS, screenshot


def _sheet(page, drafts: bool = False):
    page.goto("/rules")
    page.select_option("select[name=subject]", "高压单电源用户")
    page.select_option("select[name=region]", "鄂尔多斯市")
    if drafts:
        page.check("input[name=drafts]")
    page.locator("form.rules-form button[type=submit]").click()
    page.locator("table.rules-table").first.wait_for()


def test_binding_rows_come_first_and_drafts_wait_behind_the_switch(page):
    _sheet(page)
    tables = page.locator("table.rules-table")
    assert tables.first.get_attribute("id") == "binding-rows"
    statuses = page.locator("#binding-rows tbody .badge.status").all_inner_texts()
    assert statuses and set(statuses) == {"现行有效"}
    assert page.locator("#draft-rows").count() == 0 and "征求意见稿" in page.locator("main > p.message").last.inner_text()
    _sheet(page, drafts=True)
    drafts = page.locator("#draft-rows")
    assert set(drafts.locator("tbody .badge.status").all_inner_texts()) == {"征求意见稿"}
    order = page.evaluate("Array.from(document.querySelectorAll('table.rules-table')).map(t => t.id)")
    assert order.index("binding-rows") < order.index("draft-rows")
    assert "拟全部废止" in drafts.inner_text()  # a draft's repeal is proposed, not in effect
    assert "未收录" in page.locator("#binding-rows").inner_text() or "未收录" in drafts.inner_text()
    answer_rows = page.locator("table.rules-table tr", has_text="供电方案答复")
    texts = " ".join(answer_rows.all_inner_texts())
    assert "2个工作日" in texts and "10个工作日" in texts
    link = answer_rows.first.locator("a").last.get_attribute("href")
    assert link.startswith("/doc/") and "#" in link
    screenshot(page, "rules", full_page=False)
    page.goto(link)
    assert page.evaluate("document.querySelector(':target') !== null")


def test_the_csv_export_round_trips(page):
    _sheet(page)
    href = page.locator(".sheet-actions a", has_text="CSV").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))
    api = page.request.get("/api/rules?subject=高压单电源用户&region=鄂尔多斯市").json()["rows"]
    assert len(rows) == len(api) > 0
    for got, want in zip(rows, api, strict=True):
        assert got["figure"] == want["figure"] and got["doc_id"] == want["doc_id"] and got["clause_id"] == want["clause_id"]
        assert got["qualifiers"] == "；".join(want["qualifiers"]) and got["binding"] == str(want["binding"])


def test_two_documents_side_by_side_and_each_figures_history(page):
    page.goto("/rules?subject=高压单电源用户&region=鄂尔多斯市&a=001&b=002")
    row = page.locator("table.compare-table tr", has_text="供电方案答复")
    assert "2个工作日" in row.inner_text() and "10个工作日" in row.inner_text()
    history = page.locator("section.history")
    assert "若征求意见稿施行" in history.inner_text()


def test_the_print_stylesheet_hides_the_navigation(page, tmp_path):
    _sheet(page, drafts=True)
    page.emulate_media(media="print")
    assert page.locator("header.site").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("form.rules-form").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".badge.status").first.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    pdf = tmp_path / "rules.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):  # poppler-utils: the first printed page as PNG, to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(tmp_path / "rules-print")], check=True, timeout=60)
        png = tmp_path / "rules-print.png"
        assert png.stat().st_size > 5000
        import os

        if os.environ.get("KB_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(png, SCREENSHOTS / "rules-print.png")


def test_documents_list_and_supersedes(page):
    page.goto("/docs")
    rows = page.locator("table.docs-table tbody tr")
    assert rows.count() >= 10
    assert "征求意见稿" in page.locator("table.docs-table tr", has_text="征求意见稿").first.inner_text()
    page.goto("/doc/002")
    meta = page.locator("dl.meta").inner_text()
    assert "内能电力字〔2024〕857号" in meta and "未收录" in meta and "拟废止" in meta
