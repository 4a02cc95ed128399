"""Render a parsed document to HTML with an anchor on every clause and table row."""

from __future__ import annotations

import html
import re

import markdown

from kb.parse import Block

_ROW = re.compile(r"<tr>")


def markdown_html(source: str) -> str:
    """Markdown to HTML with any HTML in the source shown as text."""
    return _markdown(source)


def _markdown(source: str) -> str:
    # Escape first: the markdown package passes raw HTML through, corpus text must not.
    return markdown.markdown(html.escape(source, quote=False), extensions=["tables"])


def _table(block: Block) -> str:
    rendered = _markdown(block.source)
    head, sep, body = rendered.partition("<tbody>")
    if not sep:
        return rendered
    anchors = iter(block.row_anchors)

    def anchor(_match: re.Match) -> str:
        row = next(anchors, None)
        return f'<tr id="{html.escape(row)}" class="clause">' if row else "<tr>"

    return head + sep + _ROW.sub(anchor, body)


def render_blocks(blocks: list[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
        if block.kind == "title":
            parts.append(f"<h1 class=\"doc-title\">{html.escape(block.source)}</h1>")
        elif block.kind == "heading":
            level = max(2, min(block.level or 2, 6))
            parts.append(f'<h{level}{anchor} class="clause">{html.escape(block.source)}</h{level}>')
        elif block.kind == "table":
            parts.append(f'<div class="table-wrap">{_table(block)}</div>')
        else:
            css = ' class="clause"' if block.anchor else ""
            parts.append(f"<div{anchor}{css}>{_markdown(block.source)}</div>")
    return "\n".join(parts)
