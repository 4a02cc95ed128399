#!/usr/bin/env python3
"""Write ``kb/data/traditional.txt``: the traditional characters a question may be typed in, each with its
simplified form, so that 罰款多少 is read as 罚款多少.

Made once from zhconv's table (``pip install zhconv``; a tool of this script, not of the product): every
one-character entry of its zh2Hans table whose traditional character is a CJK ideograph that occurs
nowhere in the corpus or in ``../shared/lawref``. A character the simplified texts use (乾, 著, 於 …) is
left as typed, so that no word of the texts is read as another.

    python scripts/traditional_map.py [--lawref ../shared/lawref]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kb" / "data" / "traditional.txt"


def used_characters(folders: list[Path]) -> set[str]:
    """Every character of the Markdown texts under ``folders``."""
    used: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.md"):
            used.update(path.read_text(encoding="utf-8", errors="ignore"))
    return used


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lawref", type=Path, default=ROOT.parent / "shared" / "lawref")
    args = parser.parse_args()
    import zhconv

    table = json.loads((Path(zhconv.__file__).parent / "zhcdict.json").read_text(encoding="utf-8"))["zh2Hans"]
    used = used_characters([ROOT / "corpus", args.lawref])
    pairs = sorted((t, s) for t, s in table.items()
                   if len(t) == 1 and len(s) == 1 and t != s and "\u4e00" <= t <= "\u9fff" and t not in used)
    lines = ["# Traditional character → simplified, for questions (scripts/traditional_map.py writes this file;",
             "# from zhconv's zh2Hans table, without the characters the corpus or lawref use)."]
    lines += [t + s for t, s in pairs]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(pairs)} characters written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
