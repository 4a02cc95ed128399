"""The cleaned corpus says exactly what the raw seed texts say.

Each ``corpus/*.md`` file whose front matter names a ``source`` seed is compared with that
seed (found in ``$KB_SEEDS``, ``$KB_SHARED/seeds`` or ``<repo>/../shared/seeds``). Cleaning may only repair layout
(join words split at page breaks, drop spaces next to Chinese, rebuild tables, fix headings),
so after normalising both texts (NFKC, no white space, no Markdown syntax, no "/"):

* every run of Chinese characters the seed prints without a break is still in the body,
  and every run of Chinese characters in the body comes from the seed (nothing added);
* the body holds every number of the seed exactly as often as the seed does.

Runs are taken per white-space-separated token of the seed, not across line ends: a rebuilt
table legitimately reorders what the seed printed one cell per line (a two-level header becomes
"规定时限 / 单电源", a cell holding two nodes becomes two rows), so text that the seed only
put side by side across a line end or tab need not stay side by side. Within a token the
check is strict; the reverse check (body runs must occur in the seed) guards against additions.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
# What separates tokens: white space, and in the body the Markdown table pipes, heading marks and
# the " / " of two-level table headers; "/" and "#" are dropped from the seed alike.
BODY_SPLIT = re.compile(r"[\s|/#]+")
SEED_SPLIT = re.compile(r"[\s/#]+")

REQUIRED = ("id", "title", "doc_number", "issuer", "region", "kind", "status", "issued", "effective",
            "expires", "supersedes", "source", "notes")
EXTENTS = {"全部废止", "不一致之处以本文件为准"}
DATE_OR_YEAR = re.compile(r"^\d{4}(?:-\d{2}-\d{2})?$")


def seeds_dir() -> Path:
    """$KB_SEEDS, else $KB_SHARED/seeds (as conftest.py uses), else ../shared/seeds beside the repo."""
    env = os.environ.get("KB_SEEDS")
    if env:
        return Path(env)
    return Path(os.environ.get("KB_SHARED", ROOT.parent / "shared")) / "seeds"


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.md") if p.is_file() and not p.name.startswith("."))


def split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{path.name}: no YAML front matter between --- lines"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    return meta, text[match.end():]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def body_tokens(body: str) -> list[str]:
    return [t for t in BODY_SPLIT.split(TABLE_SEPARATOR.sub("", nfkc(body))) if t]


def seed_tokens(seed: str) -> list[str]:
    return [t for t in SEED_SPLIT.split(nfkc(seed)) if t]


def numbers(tokens: list[str]) -> Counter:
    return Counter(n for token in tokens for n in NUMBER.findall(token))


def seed_for(path: Path) -> tuple[dict, str, str]:
    folder = seeds_dir()
    if not folder.is_dir():
        pytest.skip(f"seed folder {folder} not found (set KB_SEEDS to check fidelity)")
    meta, body = split(path)
    source = meta.get("source")
    if not source:
        pytest.skip(f"{path.name}: no source in the front matter")
    seed = folder / str(source)
    if not seed.is_file():
        # Documents imported with `kb add` from the law library are checked against their source there.
        lawref = folder.parent / "lawref"
        found = sorted(lawref.rglob(str(source))) if lawref.is_dir() else []
        if not found:
            pytest.skip(f"{path.name}: source {source} not in {folder} or {lawref}")
        seed = found[0]
    return meta, body, seed.read_text(encoding="utf-8")


FILES = corpus_files()
IDS = [p.name for p in FILES]


def runs_not_in(tokens: list[str], other: list[str]) -> list[str]:
    """Runs of Chinese text in ``tokens`` that do not occur in the joined ``other`` text."""
    flat = "".join(other)
    return [run for token in tokens for run in CJK_RUN.findall(token) if run not in flat]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_chinese_text_lost(path: Path) -> None:
    _, body, seed = seed_for(path)
    missing = runs_not_in(seed_tokens(seed), body_tokens(body))
    assert not missing, f"{path.name}: {len(missing)} run(s) of the seed missing from the body: {missing[:10]}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_chinese_text_added(path: Path) -> None:
    _, body, seed = seed_for(path)
    added = runs_not_in(body_tokens(body), seed_tokens(seed))
    assert not added, f"{path.name}: {len(added)} run(s) of the body not in the seed: {added[:10]}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_numbers_kept(path: Path) -> None:
    _, body, seed = seed_for(path)
    in_body, in_seed = numbers(body_tokens(body)), numbers(seed_tokens(seed))
    invented = sorted(set(in_body) - set(in_seed))
    assert not invented, f"{path.name}: numbers not in the seed: {invented}"
    lost = {n: (in_body[n], c) for n, c in in_seed.items() if in_body[n] < c}
    assert not lost, f"{path.name}: numbers lost (body count, seed count): {lost}"
    extra = {n: (c, in_seed[n]) for n, c in in_body.items() if c > in_seed[n]}
    assert not extra, f"{path.name}: numbers repeated more often than in the seed (body, seed): {extra}"


def _date_ok(value) -> bool:
    if value is None or isinstance(value, dt.date):
        return True
    if not isinstance(value, str) or not DATE_OR_YEAR.match(value):
        return False
    if len(value) == 4:
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_front_matter(path: Path) -> None:
    meta, body = split(path)
    name = path.name
    missing = [key for key in REQUIRED if key not in meta]
    assert not missing, f"{name}: front matter lacks {missing}"
    assert isinstance(meta["id"], str) and meta["id"] == path.stem, f"{name}: id must be the string {path.stem!r}"
    for key in ("title", "region", "status", "source"):
        assert isinstance(meta[key], str) and meta[key].strip(), f"{name}: {key} must be a non-empty string"
    for key in ("doc_number", "issuer", "kind"):
        assert meta[key] is None or isinstance(meta[key], str), f"{name}: {key} must be a string or null"
    for key in ("issued", "effective", "expires", "amended"):
        assert _date_ok(meta.get(key)), f"{name}: {key}={meta.get(key)!r} is not YYYY-MM-DD, YYYY or null"
    assert isinstance(meta["supersedes"], list), f"{name}: supersedes must be a list"
    for entry in meta["supersedes"]:
        assert isinstance(entry, dict), f"{name}: supersedes entries must be mappings"
        assert isinstance(entry.get("ref"), str) and entry["ref"], f"{name}: supersedes entry without ref"
        assert entry.get("title") is None or isinstance(entry["title"], str), f"{name}: bad supersedes title"
        assert entry.get("extent") in EXTENTS, f"{name}: supersedes extent {entry.get('extent')!r}"
    assert isinstance(meta["notes"], list) and all(isinstance(n, str) for n in meta["notes"]), (
        f"{name}: notes must be a list of strings")
    if "validity" in meta:
        assert isinstance(meta["validity"], str) and meta["validity"], f"{name}: validity must be a string"
    assert body.strip(), f"{name}: empty body"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_tables_well_formed(path: Path) -> None:
    _, body = split(path)
    tables: list[list[str]] = []
    current: list[str] = []
    for line in body.splitlines() + [""]:
        if line.strip().startswith("|"):
            current.append(line.strip())
        elif current:
            tables.append(current)
            current = []
    for number, rows in enumerate(tables, 1):
        where = f"{path.name}: table {number} ({rows[0][:40]}…)"
        assert len(rows) >= 2 and TABLE_SEPARATOR.fullmatch(rows[1]), f"{where}: second line is not |---|"
        width = rows[0].count("|")
        bad = [row[:40] for row in rows if row.count("|") != width or not row.endswith("|")]
        assert not bad, f"{where}: rows with a different number of cells: {bad}"
