"""Render a parsed document to HTML with an anchor on every clause and table row.

Corpus Markdown is text from elsewhere: raw HTML in it is shown as text, and a link or image whose URL
a browser would read as a script (``javascript:``, ``vbscript:``, ``data:`` other than an image, in any
case, entity-encoded or with tabs and spaces) loses its URL and stays as plain text.

The jobs are Markdown tree-processors working on the element tree, never on the HTML text: one removes
unsafe URLs, one gives a table's column headers their scope, one gives its body rows their anchors (id,
class="clause" and the clause's label).
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from kb.parse import Block

LINK_SCHEMES = {"http", "https", "mailto"}  # besides relative URLs and #fragments
IMAGE_SCHEMES = {"http", "https"}
DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpeg|webp);")  # what the CSP's img-src allows, minus SVG
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
C0_AND_SPACE = "".join(map(chr, range(0x21)))


def browser_view(url: str) -> str:
    """The URL as a browser would act on it: entities decoded (until nothing changes, to be safe), tabs
    and newlines anywhere removed, control characters and spaces at the ends stripped, lower case."""
    for _ in range(5):
        decoded = html.unescape(url)
        if decoded == url:
            break
        url = decoded
    return re.sub(r"[\t\n\r]", "", url).strip(C0_AND_SPACE).lower()


def is_safe_url(url: str, image: bool = False) -> bool:
    seen = browser_view(url)
    scheme = SCHEME.match(seen)
    if scheme is None:
        return True  # relative, /path, #fragment, //host (a link, not a script)
    if image:
        return scheme.group(1) in IMAGE_SCHEMES or bool(DATA_IMAGE.match(seen))
    return scheme.group(1) in LINK_SCHEMES


class _SafeUrls(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and not is_safe_url(element.get(attribute, ""), image=element.tag == "img"):
                del element.attrib[attribute]  # <a> without href is text; <img> without src shows nothing


class _HeaderScopes(Treeprocessor):
    """A table's header cells name the column they head, for a screen reader reading a cell (th scope)."""

    def run(self, root: Element) -> None:
        for head in root.iter("thead"):
            for cell in head.iter("th"):
                cell.set("scope", "col")


class _RowAnchors(Treeprocessor):
    """The body rows of the document's tables, in order, get the anchors the parser gave them."""

    def __init__(self, md: markdown.Markdown, anchors: list[str], labels: dict[str, str]) -> None:
        super().__init__(md)
        self.anchors, self.labels = anchors, labels

    def run(self, root: Element) -> None:
        anchors = iter(self.anchors)
        for body in root.iter("tbody"):
            for row in body.iter("tr"):
                anchor = next(anchors, None)
                if anchor:
                    row.set("id", anchor)
                    row.set("class", "clause")
                    if self.labels.get(anchor):
                        row.set("data-label", self.labels[anchor])


class _Extension(Extension):
    def __init__(self, anchors: list[str] | None = None, labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self.anchors, self.labels = anchors, labels or {}

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 — the markdown package's name
        # Below "unescape" (priority 0), so the URLs checked are the ones written into the HTML.
        md.treeprocessors.register(_SafeUrls(md), "kb_safe_urls", -10)
        md.treeprocessors.register(_HeaderScopes(md), "kb_header_scopes", -15)
        if self.anchors:
            md.treeprocessors.register(_RowAnchors(md, self.anchors, self.labels), "kb_row_anchors", -20)


def _markdown(source: str, anchors: list[str] | None = None, labels: dict[str, str] | None = None) -> str:
    # Escape first: the markdown package passes raw HTML through, corpus text must not.
    return markdown.markdown(html.escape(source, quote=False), extensions=["tables", _Extension(anchors, labels)])


def markdown_html(source: str) -> str:
    """Markdown to HTML with any HTML in the source shown as text, and no script URLs."""
    return _markdown(source)


def render_blocks(blocks: list[Block], labels: dict[str, str] | None = None) -> str:
    """The blocks as HTML; ``labels`` (anchor → clause label) become each clause's data-label, which the
    page's 复制引用 puts in the citation."""
    labels = labels or {}
    parts: list[str] = []
    for block in blocks:
        anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
        label = f' data-label="{html.escape(labels[block.anchor])}"' if labels.get(block.anchor or "") else ""
        if block.kind == "title":
            parts.append(f"<h1 class=\"doc-title\">{html.escape(block.source)}</h1>")
        elif block.kind == "heading":
            level = max(2, min(block.level or 2, 6))
            parts.append(f'<h{level}{anchor} class="clause"{label}>{html.escape(block.source)}</h{level}>')
        elif block.kind == "table":
            parts.append(f'<div class="table-wrap">{_markdown(block.source, block.row_anchors, labels)}</div>')
        else:
            css = ' class="clause"' if block.anchor else ""
            parts.append(f"<div{anchor}{css}{label}>{_markdown(block.source)}</div>")
    return "\n".join(parts)
