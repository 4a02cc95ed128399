"""The line-level reading the clause parser builds on: the numbering styles a policy text uses (一、 （一） 1.
（1） ① 第X条 第X章 附件N) and how to detect them, Markdown table rows, titles, sentences and labels."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kb.analysis.numerals import cn_to_int

NUMERAL = r"[一二三四五六七八九十百千零〇两\d]+"
SENTENCE_END = re.compile(r"[。；;！!？?]")
TITLE_MAX = 40
CAPTION_MAX = 60

# (style, pattern on NFKC text); the first group is the number.
NUMBERING = [
    ("编", re.compile(rf"^第({NUMERAL})编(?:\s|$)")),
    ("章", re.compile(rf"^第({NUMERAL})章(?:\s|$)")),
    ("节", re.compile(rf"^第({NUMERAL})节(?:\s|$)")),
    ("条", re.compile(rf"^第({NUMERAL})条(?:之[一二三四五六七八九十]+)?(?:\s|$|[^\w])")),
    ("一、", re.compile(r"^([一二三四五六七八九十]+)[、.]")),
    ("（一）", re.compile(r"^\(([一二三四五六七八九十]+)\)")),
    ("1.", re.compile(r"^(\d+)(?:[、]|\.(?!\d))")),
    ("（1）", re.compile(r"^\((\d+)\)")),
]
NUMBERING_HEAD = 48  # characters; the longest numbering (第一百二十三条之一, （二十）) is far shorter
ATTACHMENT = re.compile(r"^附件\s*(\d*)\s*[:：]?\s*$")
# "注：" opens a note; "附件：1.…" opens a list of attachments. Numbered lines that follow
# belong to the note or list rather than opening new sections.
NOTE = re.compile(r"^(注|说明|备注)\s*[:：]")
ATTACHMENT_LIST = re.compile(r"^附件\s*[:：]\s*\S")
LIST_STYLES = {"1.", "（1）", "①"}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CHAPTER_STYLES = {"编", "章", "节"}
UNIT_LINE = re.compile(r"^(?:计量)?单位\s*[:：]\s*(\S.*)$")
UNIT_IN_NOTE = re.compile(r"单位\s*[:：]\s*([^\s,，。；;、]+)")


def nfkc(text: str) -> str:
    """NFKC folding."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8192)
def nfkc_length(char: str) -> int:
    """How many characters NFKC folds one character into."""
    return len(unicodedata.normalize("NFKC", char))


def numbering_value(raw: str) -> int | None:
    """The value of a numbering's number, in digits or Chinese numerals; None when it is neither."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() else cn_to_int(raw)


def detect_numbering(line: str) -> tuple[str, int | None, str] | None:
    """The numbering a line starts with: (style, number, token as printed)."""
    stripped = line.strip()
    if stripped[:1] in CIRCLED:
        return "①", CIRCLED.index(stripped[0]) + 1, stripped[0]
    # A number opens the line: only its head is normalised, unless a match reaches the head's end.
    head = stripped[:NUMBERING_HEAD]
    norm = nfkc(head)
    if len(head) < len(stripped) and any((m := p.match(norm)) and m.end() >= len(norm) - 2 for _, p in NUMBERING):
        norm = nfkc(stripped)
    for style, pattern in NUMBERING:
        match = pattern.match(norm)
        if match:
            # The token runs through the character closing the number: 章, 条, 、, ), .
            token = stripped[: original_length(stripped, match.end(1) + 1)]
            return style, numbering_value(match.group(1)), token.strip()
    return None


def original_length(original: str, norm_length: int) -> int:
    """How many characters of ``original`` make up the first ``norm_length`` NFKC characters."""
    count = 0
    for index, char in enumerate(original):
        count += nfkc_length(char)
        if count >= norm_length:
            return index + 1
    return len(original)


def is_title(text: str) -> bool:
    """Whether a line reads as a bare title: short and not a sentence."""
    return len(text) <= TITLE_MAX and not SENTENCE_END.search(text)


def first_sentence(text: str) -> str:
    """The text up to its first sentence end."""
    head = SENTENCE_END.split(text, maxsplit=1)[0]
    return head if len(head) <= TITLE_MAX else head[:TITLE_MAX] + "…"


def join_label(label: str, part: str) -> str:
    """Attach ``part`` to a label: 附件 labels take a space, numbering runs on (二、第1段)."""
    if not label:
        return part
    return f"{label} {part}" if label.startswith("附件") or not label.endswith(("、", "）", ")", ".")) else label + part


def split_row(line: str) -> list[str]:
    """The cells of a Markdown table row, stripped."""
    cells = line.strip()
    if cells.startswith("|"):
        cells = cells[1:]
    if cells.endswith("|"):
        cells = cells[:-1]
    return [cell.strip() for cell in cells.split("|")]


def is_separator(line: str) -> bool:
    """Whether a line is a Markdown table's header separator (| --- | --- |)."""
    return bool(re.fullmatch(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?", line.strip()))


def raw_blocks(body: str) -> list[tuple[str, str, int]]:
    """(kind, text, heading level) for each heading, paragraph line and table."""
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    blocks: list[tuple[str, str, int]] = []
    table: list[str] = []
    for raw in body.splitlines():
        line = raw.strip().strip("\u3000").strip()
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            blocks.append(("table", "\n".join(table), 0))
            table = []
        if not line:
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            blocks.append(("heading", heading.group(2).strip(), len(heading.group(1))))
        else:
            blocks.append(("paragraph", line, 0))
    if table:
        blocks.append(("table", "\n".join(table), 0))
    return blocks
