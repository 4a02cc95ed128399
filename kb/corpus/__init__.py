"""The corpus: Markdown policy documents with YAML front matter — reading and checking them, importing
new ones with their metadata inferred from the text, writing files whole or not at all, and the FAQ."""

from kb.corpus.documents import corpus_files, load_corpus, read_document
from kb.corpus.importer import Importer, import_file, infer_metadata
from kb.errors import CorpusError
from kb.model import Document

__all__ = ["CorpusError", "Document", "Importer", "corpus_files", "import_file", "infer_metadata", "load_corpus",
           "read_document"]
