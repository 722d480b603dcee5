"""Character skip-gram vectors (CharEmb of eq. 6)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kire.embed.chars import TokenCorpus, train_char_vectors
from kire.embed.glove import load_glove
from kire.embed.lookup import LPLookup
from kire.errors import InputError

CORPUS = [["Berlin", "is", "the", "capital", "of", "Germany", "."],
          ["Zyqqa", "Vrelt", "won", "1,237", "votes"]] * 30


def test_seeded_single_worker_training_is_deterministic():
    a = train_char_vectors(CORPUS, dim=16, seed=3, epochs=2)
    b = train_char_vectors(CORPUS, dim=16, seed=3, epochs=2)
    c = train_char_vectors(CORPUS, dim=16, seed=4, epochs=2)
    assert a.words == b.words and np.array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, c.vectors)
    assert a.vectors.shape == (len(set("".join(t for s in CORPUS for t in s))), 16)


def test_oov_word_gets_average_of_trained_character_vectors():
    glove = load_glove(None)
    chars = train_char_vectors(CORPUS, dim=glove.dim, seed=1, epochs=2)
    lp = LPLookup(glove, chars)
    assert "zyqqa" not in glove
    expected = np.mean([chars.get(c) for c in "Zyqqa"], axis=0)
    assert np.allclose(lp.vector("Zyqqa"), expected)
    assert lp.source("Zyqqa") == "char" and lp.source("Berlin") == "word"
    assert lp.source("\u2603") == "zero"


def test_corpus_reads_documents_and_sequences(tmp_path):
    docs = pa.table({"sents": pa.array([[["A", "b"], ["c"]]], pa.list_(pa.list_(pa.string())))})
    seqs = pa.table({"tokens": pa.array([["label", "Berlin"]], pa.list_(pa.string()))})
    pq.write_table(docs, tmp_path / "docs.parquet")
    pq.write_table(seqs, tmp_path / "seq.parquet")
    corpus = TokenCorpus([tmp_path / "docs.parquet"], [tmp_path / "seq.parquet"])
    assert list(corpus) == [["A", "b"], ["c"], ["label", "Berlin"]]
    assert list(corpus) == list(corpus)  # restartable: gensim iterates twice
    with pytest.raises(InputError, match="not found"):
        TokenCorpus([tmp_path / "missing.parquet"])
    with pytest.raises(InputError, match="empty corpus"):
        train_char_vectors([], dim=8)


def test_real_documents_every_token_gets_a_vector():
    """Re-DocRED dev: GloVe 6B covers most tokens; character vectors trained on the same text
    cover the rest (names such as 'Roketsan', numbers such as '19,550'), so no token is zero."""
    import json

    from conftest import shared_file

    docs = json.loads(shared_file("redocred/dev_revised.json").read_text(encoding="utf-8"))
    sents = [s for d in docs for s in d["sents"]]
    glove = load_glove(None)
    tokens = [t for s in sents for t in s]
    plain = LPLookup(glove)
    covered = sum(plain.word_emb(t) is not None for t in tokens) / len(tokens)
    assert 0.97 < covered < 1.0
    lp = LPLookup(glove, train_char_vectors(sents, dim=glove.dim, epochs=1, seed=1))
    assert {lp.source(t) for t in tokens} == {"word", "char"}
    assert not np.array_equal(lp.vector("Roketsan"), np.zeros(glove.dim, np.float32))
