"""Highlighting: where matched words stand (kb), marked in plain text, and in escaped HTML by the site."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search.highlight import highlight, spans
from kb.vocab import default_vocab
from web.hits import highlight_html

ANALYSIS = default_vocab().analysis


def test_a_word_and_its_subwords_make_one_mark():
    assert spans("高压双电源用户", {"高压双电源", "双电源", "高压"}, ANALYSIS) == [(0, 5)]


def test_html_is_escaped_and_plain_text_uses_brackets():
    text = "<b>窃电</b>行为"
    windows, marks, plain = highlight(text, {"窃电"}, ANALYSIS)
    assert marks == [(3, 5)] and windows == [(0, len(text))]
    html_out = highlight_html({"text": text, "windows": windows, "marks": marks})
    assert html_out == "&lt;b&gt;<mark>窃电</mark>&lt;/b&gt;行为"
    assert plain == "<b>【窃电】</b>行为"


def test_chinese_numerals_are_marked_in_the_original_text():
    assert highlight("提前七天通知", {"7", "天"}, ANALYSIS)[2] == "提前【七天】通知"


def test_long_clauses_show_fragments_around_the_matches():
    text = "甲" * 400 + "计划检修" + "乙" * 400
    windows, marks, plain = highlight(text, {"计划检修"}, ANALYSIS)
    assert "【计划检修】" in plain and len(plain) < 200
    assert marks == [(400, 404)] and len(windows) == 1 and windows[0][0] < 400 < 404 < windows[0][1]
    html_out = highlight_html({"text": text, "windows": windows, "marks": marks})
    assert html_out == plain.replace("【", "<mark>").replace("】", "</mark>")


def test_segmenting_only_the_runs_holding_a_term_marks_what_a_full_pass_marks(corpus_index):

    terms = {"供电企业", "应当", "用户", "7", "天", "内", "高压", "工作日", "电"}
    with corpus_index.searcher() as searcher:
        texts = [fields["text"] for fields in searcher.reader().all_stored_fields()]
    for text in texts:
        merged: list[tuple[int, int]] = []
        for start, end in sorted((p.start, p.end) for p in ANALYSIS.segment(text) if p.text in terms):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        assert spans(text, terms, ANALYSIS) == merged, text


@settings(max_examples=300, deadline=None)
@given(st.sets(st.text(alphabet="供电企业应当.*+?()[]|\\^$ 1", max_size=4), max_size=6),
       st.text(alphabet="供电企业应当.*+?()[]|\\^$ 1", max_size=30))
def test_a_run_holds_a_term_exactly_when_one_is_a_substring_of_it(terms, run):
    """The highlighter's test of a run (one regular expression of the terms, special characters and all)
    says what testing each term as a substring says."""
    from kb.search.highlight import _holding

    assert _holding(set(terms))(run) == any(term in run for term in terms)
