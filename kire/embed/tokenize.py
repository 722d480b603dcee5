"""The one tokenizer for KG text (attribute names and values), consistent with the documents.

DocRED documents arrive tokenized (PTB-like); DWIE text is tokenized by the documents stage with
``spacy.blank("en")``. KG text goes through the same spaCy rules so that a name in the KG and the
same name in a document give the same tokens.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def tokenize(text: str) -> list[str]:
    """Return the tokens of ``text`` (spaCy's English tokenizer rules; whitespace dropped)."""
    return [t.text for t in _tokenizer()(text) if not t.is_space]


def tokenize_many(texts, batch_size: int = 1000):
    """Yield the token list of each of ``texts`` in order (batched through spaCy's pipe)."""
    for doc in _tokenizer().pipe(texts, batch_size=batch_size):
        yield [t.text for t in doc if not t.is_space]
