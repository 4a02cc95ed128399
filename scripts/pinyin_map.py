#!/usr/bin/env python3
"""Write ``kb/data/pinyin.txt``: each character of the segmenter's dictionary with its readings in pinyin
(without tones), so that a slip of the IME — a homophone typed for the character meant (修政 for 修正,
曾量 for 增量) — can be found (``kb.answer.spelling``).

Made once from pypinyin's table (``pip install pypinyin``; a tool of this script, not of the product):
every CJK character of jieba's ``dict.txt`` and of ``kb/data/dictionary.txt``, with its first two readings
in pypinyin's order (the common ones: 曾 ceng zeng, 还 hai huan — a third is archaic, and 还 fu would make
还得 a slip of 不得), tones dropped, since an IME matches the syllable typed and offers every tone.

    python scripts/pinyin_map.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kb" / "data" / "pinyin.txt"
READINGS = 2  # the common readings of a character; pypinyin lists them first
HEADER = ("# Character → its readings in pinyin without tones, for questions typed with a homophone\n"
          "# (scripts/pinyin_map.py writes this file from pypinyin's table: the characters of jieba's dictionary,\n"
          "# each with its first two readings).\n")


def dictionary_characters() -> set[str]:
    """The CJK characters of jieba's dictionary and of the domain dictionary."""
    import jieba

    paths = [Path(jieba.__file__).parent / "dict.txt", ROOT / "kb" / "data" / "dictionary.txt"]
    chars: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            chars.update(ch for ch in line.split(" ", 1)[0] if "\u4e00" <= ch <= "\u9fff")
    return chars


def main() -> None:
    from pypinyin import Style, pinyin

    lines = []
    for ch in sorted(dictionary_characters()):
        readings = [r for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0] if r.isascii() and r.isalpha()]
        readings = list(dict.fromkeys(readings))[:READINGS]
        if readings:
            lines.append(f"{ch} {' '.join(readings)}")
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines)} characters")


if __name__ == "__main__":
    main()
