"""web/render.py: corpus Markdown to HTML — raw HTML shown as text, script URLs never a link."""

from html.parser import HTMLParser

import pytest

from kb.parse import Block
from web.render import markdown_html, render_blocks

SCRIPT_SCHEMES = {"javascript", "vbscript", "data", "livescript"}
NASTY = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
    "\u3000javascript:alert(1)", "java&#x09;script:alert(1)", "java&#9;script:alert(1)", "java&Tab;script:alert(1)",
    "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#0000106;avascript:alert(1)", "javascript&colon;alert(1)",
    "&amp;#106;avascript:alert(1)", "jav&#x0A;ascript:alert(1)", "vbscript:msgbox(1)", "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,<script>alert(1)</script>",
    "livescript:alert(1)", "\x01javascript:alert(1)",
]


class Urls(HTMLParser):
    """Every href and src as a browser reads it: entities decoded by the parser, then tabs and newlines
    dropped, control characters and spaces stripped at the ends."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                seen = "".join(c for c in value if c not in "\t\n\r").strip("".join(map(chr, range(33))) + "\u3000")
                self.urls.append((tag, seen.lower()))


def script_urls(rendered: str) -> list[str]:
    parser = Urls()
    parser.feed(rendered)
    return [url for tag, url in parser.urls
            if url.split(":", 1)[0] in SCRIPT_SCHEMES and not (tag == "img" and url.startswith("data:image/png"))]


@pytest.mark.parametrize("url", NASTY)
def test_a_script_url_in_corpus_markdown_is_never_a_link(url):
    source = f"详见[附件说明]({url})，示意图![图]({url})。\n\n[参考][r]\n\n[r]: {url}"
    for rendered in (markdown_html(source), render_blocks([Block("paragraph", source, "c1")])):
        assert script_urls(rendered) == [], rendered
        assert "附件说明" in rendered and "参考" in rendered  # the words stay, as text


@pytest.mark.parametrize("url", ["https://www.nea.gov.cn/", "http://example.cn/a?b=1", "mailto:kefu@example.cn",
                                 "/doc/006#a28", "#c1", "附件2.md"])
def test_ordinary_links_stay_links(url):
    assert f'href="{url}"' in markdown_html(f"[链接]({url})")


def test_a_data_image_stays_an_image_but_not_a_link():
    rendered = markdown_html("![图](data:image/png;base64,iVBORw0KGgo=) [链接](data:image/png;base64,iVBORw0KGgo=)")
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in rendered and "href" not in rendered


def test_raw_html_in_markdown_is_text():
    rendered = markdown_html('<a href="javascript:alert(1)">x</a><script>alert(1)</script>')
    assert "<script>" not in rendered and "<a " not in rendered and "&lt;script&gt;" in rendered
