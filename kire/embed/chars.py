"""Character vectors for CharEmb (eq. 6): skip-gram (gensim Word2Vec, sg=1) over characters.

Each token of the corpus is one "sentence" whose words are its characters, so a character's
context is the other characters of the words it occurs in, and the average of a word's character
vectors (CharEmb) summarises that word. The corpus is the documents' tokens plus the tokens of
the KG attribute sequences.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from kire.embed.vectors import WordVectors
from kire.errors import InputError

log = logging.getLogger(__name__)


class TokenCorpus:
    """A restartable iterable over token lists read from Parquet files.

    ``docs_files``: document tables (column ``sents``: list<list<string>>, see kire.docs.model);
    ``sequence_files``: attribute_sequences tables (column ``tokens``: list<string>).
    Iterating yields one list of tokens per sentence / attribute triple.
    """

    def __init__(self, docs_files: Iterable[str | Path] = (),
                 sequence_files: Iterable[str | Path] = ()):
        self.docs_files = [Path(p) for p in docs_files]
        self.sequence_files = [Path(p) for p in sequence_files]
        for path in [*self.docs_files, *self.sequence_files]:
            if not path.is_file():
                raise InputError(str(path), None, None, "file not found")

    def __iter__(self) -> Iterator[list[str]]:
        import pyarrow.parquet as pq

        for path in self.docs_files:
            for batch in pq.ParquetFile(path).iter_batches(columns=["sents"], batch_size=256):
                for sents in batch.column(0).to_pylist():
                    yield from sents
        for path in self.sequence_files:
            for batch in pq.ParquetFile(path).iter_batches(columns=["tokens"], batch_size=4096):
                yield from batch.column(0).to_pylist()


class CharSentences:
    """A restartable iterable: each token of ``corpus`` as the list of its characters."""

    def __init__(self, corpus: Iterable[list[str]]):
        self.corpus = corpus

    def __iter__(self) -> Iterator[list[str]]:
        for tokens in self.corpus:
            for token in tokens:
                if token:
                    yield list(token)


def train_char_vectors(corpus: Iterable[list[str]], dim: int, window: int = 5, epochs: int = 5,
                       min_count: int = 1, seed: int = 13, workers: int = 1) -> WordVectors:
    """Return ``dim``-d skip-gram vectors of the characters of ``corpus`` (token lists).

    With ``workers=1`` the result is a deterministic function of the corpus and ``seed``; more
    workers are faster but their thread scheduling changes the result.
    """
    from gensim.models import Word2Vec

    sentences = CharSentences(corpus)
    model = Word2Vec(vector_size=dim, window=window, min_count=min_count, sg=1, seed=seed,
                     workers=workers, epochs=epochs)
    model.build_vocab(sentences)
    if not model.wv.index_to_key:
        raise InputError("character corpus", None, None, "no characters to train on (empty corpus)")
    model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    log.info("trained %d character vectors (%d-d) on %d tokens", len(model.wv.index_to_key), dim,
             model.corpus_count)
    return WordVectors(words=list(model.wv.index_to_key),
                       vectors=np.asarray(model.wv.vectors, dtype=np.float32))
