"""Split a policy text (Markdown or plain text) into citable clauses.

The structure comes from the document's own numbering, not from file names or
Markdown heading levels (which are unreliable in extracted texts):

    附件N · 第X编/章/节 · 第X条 · 一、 · （一） · 1. · （1） · ①

A numbering style seen for the first time nests under the current item; a
style already open closes everything below it and starts a sibling. Inside a
第X条 article, lower numbering stays part of the article (the article is the
unit a law is cited by). Each row of a Markdown table becomes its own clause
carrying the table's caption and column headers, so it reads on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.analysis.comparison import WHITE_SPACE, squash
from kb.model import Block, Clause, Document, ParsedDocument
from kb.parse.lines import (
    ATTACHMENT,
    ATTACHMENT_LIST,
    CAPTION_MAX,
    CHAPTER_STYLES,
    LIST_STYLES,
    NOTE,
    SENTENCE_END,
    UNIT_IN_NOTE,
    UNIT_LINE,
    detect_numbering,
    first_sentence,
    is_separator,
    is_title,
    join_label,
    nfkc,
    raw_blocks,
    split_row,
)


@dataclass
class _Node:
    clause: Clause
    style: str
    number: int | None
    token: str  # the numbering as printed, e.g. （一）
    title: str  # the heading text for heading paths
    heading: bool  # a bare title rather than a sentence
    level: int = 0  # Markdown heading level, for unnumbered headings
    paragraphs: int = 0
    tables: int = 0
    children: int = 0



class _Parser:
    def __init__(self, title: str) -> None:
        self.title_key = squash(title)
        self.clauses: list[Clause] = []
        self.layout: list[Block] = []
        self.stack: list[_Node] = []
        self.ids: set[str] = set()
        self.root_paragraphs = 0
        self.headings_seen = 0
        self.open_list: Clause | None = None  # a note or attachment list taking numbered lines
        self.table_rows: list[tuple[str, str, str, Clause]] = []

    # -- ids and labels -------------------------------------------------
    def _unique(self, candidate: str) -> str:
        result, n = candidate, 2
        while result in self.ids:
            result, n = f"{candidate}_{n}", n + 1
        self.ids.add(result)
        return result

    def _node_id(self, style: str, number: int | None) -> str:
        if style == "条":
            return self._unique(f"a{number}")
        if style == "附件":
            return self._unique(f"att{number or ''}".rstrip() or "att")
        parent = self.stack[-1].clause.id if self.stack else ""
        if style == "md":
            self.headings_seen += 1
            segment = f"h{self.headings_seen}"
        elif style in CHAPTER_STYLES:
            segment = {"编": "part", "章": "ch", "节": "sec"}[style] + str(number)
        else:
            segment = str(number)
            if parent and re.search(r"(^|-)c[\d.]+$", parent):
                return self._unique(f"{parent}.{segment}")
            segment = f"c{segment}"
        return self._unique(f"{parent}-{segment}" if parent else segment)

    def _label(self, token: str, style: str) -> str:
        chain = [n for n in self.stack if n.style not in {"md"}]
        if style == "条":
            return token
        if any(n.style == "条" for n in chain):
            article = next(n for n in reversed(chain) if n.style == "条")
            return article.token + token
        parts = [n.token for n in chain if n.style not in CHAPTER_STYLES] + [token]
        label = ""
        for part in parts:
            label += (part + " ") if part.startswith("附件") else part
        return label.strip()

    def _path(self) -> list[str]:
        return [n.title for n in self.stack]

    # -- building -------------------------------------------------------
    def _add(self, clause: Clause) -> Clause:
        clause.order = len(self.clauses)
        self.clauses.append(clause)
        if self.stack:
            self.stack[-1].children += 1
        return clause

    def _open(self, style: str, number: int | None, token: str, text: str, heading: bool, level: int = 0) -> None:
        if style == "附件":
            self.stack.clear()
        elif style == "md":
            cut = next((i for i, n in enumerate(self.stack) if n.style == "md" and n.level >= level), None)
            if cut is not None:
                del self.stack[cut:]
        else:
            cut = next((i for i, n in enumerate(self.stack) if n.style == style), None)
            if cut is not None:
                del self.stack[cut:]
        clause_id = self._node_id(style, number)
        label = self._label(token, style) if style != "md" else join_label(self._label("", style), text)
        kind = "article" if style == "条" else ("heading" if heading else "item")
        clause = self._add(Clause(clause_id, label, kind, text, self._path(),
                                  self.stack[-1].clause.id if self.stack else None))
        title = text if heading else first_sentence(text)
        node = _Node(clause, style, number, token, title, heading, level)
        self.stack.append(node)
        self.layout.append(Block("heading" if heading else "paragraph", text, clause_id,
                                 level or min(len(self.stack) + 1, 6)))

    def _paragraph(self, text: str, standalone: bool = False, name: str = "") -> Clause:
        top = self.stack[-1] if self.stack else None
        article = next((n for n in reversed(self.stack) if n.style == "条"), None)
        owner = article or (top if top and not top.heading and not standalone else None)
        if owner is not None:
            owner.clause.text += "\n" + text
            self.layout.append(Block("paragraph", text, None))
            return owner.clause
        if top is None:
            self.root_paragraphs += 1
            n = self.root_paragraphs
            clause_id, label = self._unique(f"p{n}"), f"第{n}段"
        else:
            top.paragraphs += 1
            n = top.paragraphs
            clause_id = self._unique(f"{top.clause.id}-{'note' if name else 'p'}{n}")
            label = join_label(top.clause.label, name or f"第{n}段")
        clause = self._add(Clause(clause_id, label, "paragraph", text, self._path(), top.clause.id if top else None))
        self.layout.append(Block("paragraph", text, clause_id))
        return clause

    def _table(self, source: str, captions: list[str]) -> None:
        lines = source.splitlines()
        if len(lines) < 2 or not is_separator(lines[1]):
            for line in lines:
                self._paragraph(line)
            return
        header = split_row(lines[0])
        leaves = [h.split(" / ")[-1].strip() for h in header]
        top = self.stack[-1] if self.stack else None
        if top:
            top.tables += 1
        table_no = top.tables if top else sum(1 for b in self.layout if b.kind == "table") + 1
        base_id = f"{top.clause.id}-t{table_no}" if top else f"t{table_no}"
        unit = next((m.group(1) for c in captions if (m := UNIT_LINE.match(c))), None)
        titles = [c for c in captions if not UNIT_LINE.match(c)]
        caption = " ".join(([top.token] if top and top.style == "附件" else []) + titles).strip()
        if not caption and top:
            caption = top.title
        block = Block("table", source)
        if not any(any(split_row(line)) for line in lines[2:]):
            self._blank_form(block, base_id, caption, leaves, titles, len(lines) - 2)
            return
        seen_keys: set[str] = set()
        group = ""
        body_rows = [split_row(line) for line in lines[2:]]
        # An empty first cell under a filled one is a merged cell: the first column groups rows,
        # so each row is named by its group and its second cell.
        grouped = any(row and not row[0] and any(row) for row in body_rows)
        for index, cells in enumerate(body_rows, start=1):
            if not any(cells):
                block.row_anchors.append(self._unique(f"{base_id}-r{index}"))
                continue
            if cells[0]:
                group = cells[0]
            key = cells[0]
            if grouped or not key or key in seen_keys:
                key = " ".join(x for x in (group, cells[1] if len(cells) > 1 else "") if x)
            seen_keys.add(key)
            if key.isdigit() and leaves and leaves[0]:
                key = f"{leaves[0]}{key}"
            pairs = [f"{leaves[i]} {cell}" if i < len(leaves) and leaves[i] else cell
                     for i, cell in enumerate(cells) if cell and i > 0]
            joined = _join_cells(pairs)
            text = f"{caption} — {key}：{joined}" if caption else f"{key}：{joined}"
            if unit:
                text += f"（单位：{unit}）"
            clause_id = self._unique(f"{base_id}-r{index}")
            label = join_label(top.clause.label, key) if top else key
            path = self._path() + ([" ".join(titles)] if titles else [])
            row = self._add(Clause(clause_id, label, "row", text, path, top.clause.id if top else None,
                                   row_key=key, cells=[(leaves[i] if i < len(leaves) else "", cell)
                                                       for i, cell in enumerate(cells)], unit=unit or ""))
            self.table_rows.append((base_id, " ".join(titles) or f"表{table_no}", key, row))
            block.row_anchors.append(clause_id)
        self.layout.append(block)

    def _blank_form(self, block: Block, base_id: str, caption: str, leaves: list[str], titles: list[str],
                    rows: int) -> None:
        """A table with no filled cell (a blank form): one clause naming the form and its columns."""
        top = self.stack[-1] if self.stack else None
        clause_id = self._unique(base_id)
        text = f"{caption} — 栏目：{'、'.join(h for h in leaves if h)}"
        label = join_label(top.clause.label if top else "", " ".join(titles) or "表")
        self._add(Clause(clause_id, label, "row", text, self._path() + titles[:1], top.clause.id if top else None))
        block.anchor = clause_id
        block.row_anchors = [self._unique(f"{base_id}-r{i}") for i in range(1, rows + 1)]
        self.layout.append(block)

    def run(self, body: str) -> ParsedDocument:
        raw = raw_blocks(body)
        captions = self._caption_indices(raw)
        pending: list[str] = []
        for index, (kind, text, level) in enumerate(raw):
            if index in captions or kind == "table":
                self.open_list = None
            if index in captions:
                pending.append(text)
                self.layout.append(Block("paragraph", text, None))
                continue
            if kind == "table":
                self._table(text, pending)
                pending = []
                continue
            pending = []
            numbering = detect_numbering(text)
            if self.open_list is not None and kind == "paragraph" and numbering and numbering[0] in LIST_STYLES:
                self.open_list.text += "\n" + text
                self.layout.append(Block("paragraph", text, None))
                continue
            self.open_list = None
            if kind == "paragraph" and numbering is None and (NOTE.match(text) or ATTACHMENT_LIST.match(text)):
                note = NOTE.match(text)
                self.open_list = self._paragraph(text, standalone=bool(note), name=note.group(1) if note else "")
                continue
            # The paragraph folded once, for both tests below (``squash`` is this fold with white space out):
            # NFKC of every paragraph, twice, was a few per cent of a build.
            folded = nfkc(text)
            if self.title_key and WHITE_SPACE.sub("", folded) == self.title_key:
                # The title starts the document proper: a cover letter above it is closed.
                self.stack.clear()
                self.layout.append(Block("title", text, None, 1))
                continue
            attachment = ATTACHMENT.match(folded)
            if attachment and (attachment.group(1) or self.clauses):
                number = int(attachment.group(1)) if attachment.group(1) else None
                self._open("附件", number, text.rstrip(":： "), text, True, level or 2)
                continue
            if numbering and not (kind == "paragraph" and self._inside_article() and numbering[0] not in
                                  CHAPTER_STYLES | {"条"}):
                style, number, token = numbering
                rest = text[len(token):].strip()
                heading = kind == "heading" or (style != "条" and is_title(rest))
                self._open(style, number, token, text, heading, level)
            elif kind == "heading":
                self._open("md", None, "", text, True, level)
            else:
                self._paragraph(text)
        self._fold_single_paragraphs()
        self._name_tables_in_labels()
        self._units_from_notes()
        return ParsedDocument(self.clauses, self.layout)

    def _name_tables_in_labels(self) -> None:
        """Where one section holds several tables, a row label names its table too."""
        tables_per_parent: dict[str | None, set[str]] = {}
        for base_id, _title, _key, row in self.table_rows:
            tables_per_parent.setdefault(row.parent, set()).add(base_id)
        parents = {c.id: c for c in self.clauses}
        for _base_id, title, key, row in self.table_rows:
            if len(tables_per_parent[row.parent]) > 1:
                parent = parents.get(row.parent or "")
                row.label = join_label(parent.label if parent else "", f"{title} {key}")

    def _units_from_notes(self) -> None:
        """A unit stated in a note of the section ("注：1.时限单位：工作日") applies to its tables."""
        units: dict[str | None, str] = {}
        for clause in self.clauses:
            if clause.kind != "row" and (match := UNIT_IN_NOTE.search(clause.text)) and NOTE.match(clause.text):
                units.setdefault(clause.parent, match.group(1))
        for clause in self.clauses:
            if clause.kind == "row" and not clause.unit and clause.parent in units:
                clause.unit = units[clause.parent]

    def _inside_article(self) -> bool:
        return any(n.style == "条" for n in self.stack)

    @staticmethod
    def _caption_indices(raw: list[tuple[str, str, int]]) -> set[int]:
        """Short unnumbered lines standing right before a table are its caption."""
        found: set[int] = set()
        for index, (kind, _text, _level) in enumerate(raw):
            if kind != "table":
                continue
            back = index - 1
            while back >= 0 and index - back <= 3:
                k, text, _ = raw[back]
                if k != "paragraph" or len(text) > CAPTION_MAX or SENTENCE_END.search(text):
                    break
                if detect_numbering(text) or ATTACHMENT.match(nfkc(text)):
                    break
                found.add(back)
                back -= 1
        return found

    def _fold_single_paragraphs(self) -> None:
        """A heading with exactly one paragraph and nothing else reads best as one clause."""
        children: dict[str, list[Clause]] = {}
        for clause in self.clauses:
            if clause.parent:
                children.setdefault(clause.parent, []).append(clause)
        drop: set[str] = set()
        for clause in self.clauses:
            kids = children.get(clause.id, [])
            if clause.kind == "heading" and len(kids) == 1 and kids[0].kind == "paragraph":
                clause.text += "\n" + kids[0].text
                clause.kind = "item"
                drop.add(kids[0].id)
                for block in self.layout:
                    if block.anchor == kids[0].id:
                        block.anchor = None
            elif clause.kind == "heading" and kids:
                clause.container = True
        self.clauses = [c for c in self.clauses if c.id not in drop]
        for order, clause in enumerate(self.clauses):
            clause.order = order


def parse(body: str, title: str = "") -> ParsedDocument:
    """Clauses and layout of a document body; ``title`` marks the title line so it is not a clause."""
    return _Parser(title).run(body)


def parse_document(document: Document) -> ParsedDocument:
    """The clauses and layout of a corpus document (``parse`` of its body, its title marked)."""
    return parse(document.body, document.title)


def _join_cells(cells: list[str]) -> str:
    """A row's cells as one sentence: a comma between them, none after a cell that ends its own sentence
    (…精准对接用户需求。完成时限 持续推进, not “需求。，完成时限”)."""
    out = ""
    for cell in cells:
        if out:
            out += "" if out.endswith(("。", "；", ";", "！", "？", "!", "?")) else "，"
        out += cell
    return out
