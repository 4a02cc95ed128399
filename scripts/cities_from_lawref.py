"""Write kb/data/cities.yaml: the cities whose local regulations lawref holds, each with its province.

A regulation of 洛阳市 binds in 洛阳市, not in the whole country; the importer can only say so when the
city is a region the product knows. The cities are read from lawref's own file names
(``DLC/<省>地方法规/…/<市>…条例.md``), so the list covers every city a lawref document can come from.
A city's short name (洛阳 for 洛阳市) is one of its names only when jieba's dictionary does not know it as
an ordinary word (开封 is also "to unseal", 日照 "sunlight"): a question saying 开封后 names no city.

    python scripts/cities_from_lawref.py [../shared/lawref] [kb/data/cities.yaml]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jieba
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROPER = {"ns", "nr", "nz", "nt"}  # jieba's tags of proper nouns


def word_tags() -> dict[str, str]:
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    tags: dict[str, str] = {}
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
    return tags


def cities(lawref: Path, known: dict) -> dict[str, dict]:
    names_known = {n for spec in known.values() for n in spec.get("names") or []} | set(known)
    provinces = {name[:-1]: name for name in known if name.endswith("省")}
    tags = word_tags()
    found: dict[str, dict] = {}
    for path in sorted((lawref / "DLC").glob("*地方法规/**/*.md")):
        folder = path.relative_to(lawref / "DLC").parts[0].removesuffix("地方法规")
        province = provinces.get(folder)
        if province is None:
            continue  # 北京, 上海, 重庆: a municipality's own regulations; their 市 is the region itself
        match = re.match(r"([\u4e00-\u9fff]{2,4}?)市", path.stem)
        if not match or match.group(0) in names_known or match.group(1).startswith(tuple(provinces)):
            continue
        city, short = match.group(0), match.group(1)
        names = [city] + ([short] if len(short) >= 2 and tags.get(short, "ns") in PROPER else [])
        found.setdefault(city, {"parent": province, "names": names})
    # 杭州城市…条例 read as a city 杭州城 is 杭州市 again: a name holding a shorter city's name is none
    return {city: spec for city, spec in found.items()
            if not any(other != city and city.startswith(other[:-1]) for other in found)}


def main(argv: list[str]) -> int:
    lawref = Path(argv[0]) if argv else ROOT.parent / "shared" / "lawref"
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "kb" / "data" / "cities.yaml"
    known = yaml.safe_load((ROOT / "kb" / "data" / "regions.yaml").read_text(encoding="utf-8"))
    found = cities(lawref, known)
    lines = ["# Cities whose local regulations lawref holds, with their province. Written by",
             "# scripts/cities_from_lawref.py from lawref's file names; do not edit by hand (see that script).",
             "# kb/data/regions.yaml names the rest and wins where both name a region."]
    for city, spec in sorted(found.items(), key=lambda item: (item[1]["parent"], item[0])):
        lines.append(f"{city}: {{parent: {spec['parent']}, names: [{', '.join(spec['names'])}]}}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(found)} cities written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
