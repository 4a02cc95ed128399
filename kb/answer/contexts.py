"""The clauses a question's figures are read from: the top hits of the search (of the documents the question
names, when it names some), then the clauses where the lexicon knows the asked item is stated; each read
once per index generation into its candidates, and given what the features know of it (its rank and
score, its document's standing and region, its table, its build-time facts)."""

from __future__ import annotations

from collections import OrderedDict

from kb.answer.features import ClauseContext, coverage
from kb.answer.phrases import alternative_phrases, head_phrases, mirrored_phrases, yesno_phrases
from kb.answer.question import Question
from kb.answer.reader import ClauseReader
from kb.answer.standing import Standing
from kb.index.generation import OpenIndex
from kb.model import clause_key
from kb.vocab import Vocab

READ_CLAUSES = 11  # the top clauses whose candidates are scored
LEXICON_CLAUSES = 8  # clauses the lexicon adds for an asked item, ranked after the search's
CACHE_CLAUSES = 4096


class ClauseContexts:
    """The clauses read so far (their candidates kept, per generation), and the contexts of a question's."""

    def __init__(self, vocab: Vocab, reader: ClauseReader, use_lexicon: bool) -> None:
        """Clauses read with ``reader`` and ``vocab``; ``use_lexicon`` adds the lexicon's clauses and facts."""
        self.vocab = vocab
        self.wording = vocab.wording
        self.lexicon = vocab.lexicon
        self.reader = reader
        self.use_lexicon = use_lexicon
        self._clauses: OrderedDict[tuple, tuple] = OrderedDict()

    def _clause(self, index: OpenIndex, doc_id: str, clause_id: str):
        """(parsed clause, its candidates, its normalised text), read once per generation."""
        key = (index.manifest.get("fingerprint"), index.manifest.get("built_at"), doc_id, clause_id)
        found = self._clauses.get(key)
        if found is None:
            clause = index.clause(doc_id, clause_id)
            if clause is None:
                return None
            candidates = self.reader.clause(clause)
            found = (clause, candidates, self.wording.plain(clause.text))
            self._clauses[key] = found
            if len(self._clauses) > CACHE_CLAUSES:
                self._clauses.popitem(last=False)
        else:
            self._clauses.move_to_end(key)
        return found

    def of(self, index: OpenIndex, question: Question, hits, region: str | None,
           region_standing: dict[str, Standing], named: list[str]) -> list[ClauseContext]:
        """The contexts of the clauses ``question`` is answered from: the first ``READ_CLAUSES`` of ``hits``
        (of the ``named`` documents only, when it names some), then the lexicon's clauses of the asked item;
        a clause of a document that does not apply in ``region`` (by ``region_standing``) is left out."""
        contexts: list[ClauseContext] = []
        for rank, (doc_id, clause_id, share) in enumerate(self._keys(index, question, hits, named)):
            read = self._clause(index, doc_id, clause_id)
            standing = region_standing.get(doc_id)
            if read is None or (standing is not None and not standing.applies_here):
                continue
            clause, candidates, text = read
            record = index.documents[doc_id]
            candidates = list(candidates)
            norm = self.vocab.analysis.normalize(clause.text)
            if question.heads:
                candidates += head_phrases(norm, question.heads,
                                           self.wording.boundaries, self.vocab.analysis)
            if question.around[0]:
                candidates += mirrored_phrases(norm, question.around,
                                               self.wording.mirror_light_verbs, question.kind,
                                               self.wording.agent_head_re)
            if question.yesno:
                candidates += yesno_phrases(norm, self.wording.yesno_verbs[question.yesno])
            if question.alternatives:
                candidates += alternative_phrases(norm, question.alternatives,
                                                  self.wording.negators)
            for candidate in candidates:
                if not candidate.sentence:
                    self.reader.fill_context(clause.text, candidate)
            nationwide, draft = self.vocab.nationwide, self.vocab.draft
            doc_region = self.vocab.canonical_region(record["meta"].get("region", nationwide)) or nationwide
            contexts.append(ClauseContext(
                doc_id=doc_id, clause_id=clause_id, label=clause.label, text=text,
                heading=self.wording.plain(" ".join(clause.heading_path)), title=self.wording.plain(record["title"]),
                rank=rank, score_share=share,
                binding=standing.binding if standing else True,
                draft=bool(standing and standing.effective_status == draft),
                lapsed=bool(standing and not standing.in_force and standing.effective_status != draft),
                region_own=bool(region and doc_region == region and region != nationwide),
                doc_named=doc_id in named, in_table=clause.kind == "row", candidates=candidates,
                unnumbered=clause.kind == "paragraph" and clause.label.endswith("段"),
                facts=index.facts_by_clause.get(clause_key(doc_id, clause_id), []) if self.use_lexicon else []))
        self._document_coverage(question, contexts)
        return contexts

    def _document_coverage(self, question: Question, contexts: list[ClauseContext]) -> None:
        """Each context's ``document_coverage``: the question's weighted words its document's title and its
        clauses among ``contexts`` hold together; and ``document_gap`` to the best document's."""
        texts: dict[str, list[str]] = {}
        for context in contexts:
            texts.setdefault(context.doc_id, [context.title]).append(context.heading + context.text)
        by_doc = {doc_id: coverage(question.groups, " ".join(parts)) for doc_id, parts in texts.items()}
        best = max(by_doc.values(), default=0.0)
        for context in contexts:
            context.document_coverage = by_doc[context.doc_id]
            context.document_gap = best - context.document_coverage

    def _keys(self, index: OpenIndex, question: Question, hits, named: list[str]) -> list[tuple[str, str, float]]:
        """(document, clause, its search score over the best one's) of the clauses to read, in order: the top
        hits, then the lexicon's clauses stating the asked item (for the asked customer type), scored 0."""
        keys: list[tuple[str, str, float]] = []
        best_score = hits[0].score if hits else 1.0
        for hit in hits:
            if named and hit.doc_id not in named:
                continue
            keys.append((hit.doc_id, hit.clause_id, hit.score / best_score if best_score else 0.0))
            if len(keys) >= READ_CLAUSES:
                break
        if self.use_lexicon and question.items:
            wanted = set(question.items[:1])
            subjects = set(self.lexicon.broader(question.subjects[0])) if question.subjects else None
            seen = {(d, c) for d, c, _ in keys}
            extra = 0
            for fact in index.facts_by_item.get(question.items[0], []):
                key = (fact.doc_id, fact.clause_id)
                if key in seen or fact.item not in wanted or (subjects and fact.subject not in subjects):
                    continue
                if named and fact.doc_id not in named:
                    continue
                seen.add(key)
                keys.append((*key, 0.0))
                extra += 1
                if extra >= LEXICON_CLAUSES:
                    break
        return keys
