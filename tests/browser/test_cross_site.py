"""Another site cannot make a visitor's browser post feedback: Chromium's own Origin and Sec-Fetch-Site
headers are what the server refuses."""

from __future__ import annotations

EVIL = "http://evil.test"


def test_a_form_on_another_site_cannot_post_feedback(page, server):
    form = (f'<form method="post" action="{server.url}/feedback">'
            '<input name="kind" value="faq"><input name="target" value="跨站伪造反馈"><input name="back" value="/">'
            '<button name="verdict" value="wrong" id="send">send</button></form>')
    page.route(f"{EVIL}/**", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                         body=form))
    page.goto(f"{EVIL}/page")
    with page.expect_response(f"{server.url}/feedback") as answer:
        page.click("#send")
    assert answer.value.status == 403
    assert "跨站提交不予受理" in page.locator("main").inner_text()
    page.goto(f"{server.url}/feedback?token={server.admin_token}")
    assert page.locator("table.feedback-table tr", has_text="跨站伪造反馈").count() == 0
