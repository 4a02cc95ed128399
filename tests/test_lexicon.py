"""The lexicon matches patterns on the text without quotation marks and maps the offsets back: the same
matches as patterns with optional quotes between every two characters (how they were compiled before)."""

from __future__ import annotations

import re

from kb.vocab import default_vocab
from kb.vocab.lexicon import QUOTES, Lexicon, _chars
from tests.conftest import CORPUS, LAWREF


def _with_optional_quotes(entries: dict, normalize) -> tuple[re.Pattern, dict]:
    optional = f"[{re.escape(QUOTES)}]*"
    alternatives, names, firsts = [], {}, set()
    pairs = sorted(((p, name) for name, patterns in entries.items() for p in patterns), key=lambda pair: -len(pair[0]))
    for number, (pattern, name) in enumerate(pairs):
        chars = _chars(pattern, normalize)
        if chars:
            firsts.add(chars[0])
            alternatives.append(f"(?P<g{number}>{optional.join(re.escape(c) for c in chars)})")
            names[f"g{number}"] = name
    lead = "[" + "".join(re.escape(c) for c in sorted(firsts)) + "]"
    return re.compile(f"(?={lead})(?:{'|'.join(alternatives)})"), names


def _reference(compiled, text: str) -> list[tuple[str, int, int]]:
    pattern, names = compiled
    return [(names[m.lastgroup], m.start(), m.end()) for m in pattern.finditer(text)]


def test_quoted_text_matches_as_before():
    vocab = default_vocab()
    lexicon: Lexicon = vocab.lexicon
    normalize = vocab.analysis.normalize
    tables = {"subjects": {n: s["patterns"] for n, s in lexicon.subjects.items()},
              "items": {n: s["patterns"] for n, s in lexicon.items.items()},
              "qualifiers": lexicon.qualifier_entries}
    finders = {"subjects": lexicon._subject_re, "items": lexicon._item_re, "qualifiers": lexicon._qualifier_re}
    references = {kind: _with_optional_quotes(entries, normalize) for kind, entries in tables.items()}
    paths = sorted(CORPUS.rglob("*.md")) + (sorted(LAWREF.rglob("*.md"))[::50] if LAWREF.exists() else [])
    lines = [normalize(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    # and the quotes put where they test the mapping: inside, before and after every pattern
    for entries in tables.values():
        for patterns in entries.values():
            for pattern in patterns:
                text = normalize(pattern)
                if len(text) > 1:
                    lines.append(f"“{text[0]}”{text[1:]}，《{text}》，{text[:-1]}'{text[-1]}'")
    quoted = 0
    for line in lines:
        quoted += any(q in line for q in QUOTES)
        for kind, reference in references.items():
            found = [(m.name, m.start, m.end) for m in Lexicon._find(finders[kind], line)]
            assert found == _reference(reference, line), (kind, line)
    assert quoted > 100
