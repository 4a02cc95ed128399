"""The corpus: Markdown policy documents with YAML front matter — reading and checking them, importing
new ones with their metadata inferred from the text, writing files whole or not at all, and the FAQ."""

from kb.corpus.documents import (
           Document,
           Importer,
           corpus_files,
           import_file,
           infer_metadata,
           load_corpus,
           read_document,
)
from kb.errors import CorpusError

__all__ = ["CorpusError", "Document", "Importer", "corpus_files", "import_file", "infer_metadata", "load_corpus",
           "read_document"]
