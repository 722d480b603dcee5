"""LP(w) of eq. 6 and GloVe loading."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from kire.embed.glove import load_glove
from kire.embed.lookup import LPLookup
from kire.embed.vectors import WordVectors, read_word_vectors, save_word_vectors
from kire.errors import InputError


def _glove() -> WordVectors:
    return WordVectors(words=["the", "berlin", "city"],
                       vectors=np.arange(12, dtype=np.float32).reshape(3, 4))


def _chars() -> WordVectors:
    return WordVectors(words=["q", "x", "1"],
                       vectors=np.array([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 4, 8]], np.float32))


def test_glove_word_then_lowercased_form():
    lp = LPLookup(_glove(), _chars())
    assert np.array_equal(lp.vector("berlin"), [4, 5, 6, 7])
    assert np.array_equal(lp.vector("Berlin"), [4, 5, 6, 7])  # GloVe 6B is lowercased


def test_oov_falls_back_to_average_of_known_characters():
    lp = LPLookup(_glove(), _chars())
    # "Qx?" : Q -> q (lowercased), x known, ? unknown and ignored
    assert np.allclose(lp.vector("Qx?"), [0.5, 1.0, 0, 0])
    assert np.allclose(lp.vector("1"), [0, 0, 4, 8])


def test_zeros_only_when_no_character_is_known():
    with_chars, without = LPLookup(_glove(), _chars()), LPLookup(_glove())
    assert np.array_equal(with_chars.vector("?!"), np.zeros(4, np.float32))
    assert np.array_equal(without.vector("qx"), np.zeros(4, np.float32))
    assert not np.array_equal(with_chars.vector("qx"), np.zeros(4, np.float32))


def test_matrix_shape_and_returned_vectors_do_not_alias_the_table():
    glove = _glove()
    lp = LPLookup(glove, _chars())
    m = lp.matrix(["the", "zq", "??", "CITY"])
    assert m.shape == (4, 4) and m.dtype == np.float32
    assert np.array_equal(m[3], glove.vectors[2])
    lp.vector("the")[:] = -1
    assert np.array_equal(glove.vectors[0], [0, 1, 2, 3])
    assert lp.matrix([]).shape == (0, 4)


def test_dimension_mismatch_is_refused():
    chars = WordVectors(words=["a"], vectors=np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match="3-d"):
        LPLookup(_glove(), chars)


def test_offline_package_is_real_glove_6b_50d():
    wv = load_glove(None)
    assert wv.dim == 50 and len(wv) == 400_000 and wv.vectors.dtype == np.float32
    assert wv.words[:3] == ["the", ",", "."] and wv.index["the"] == 0
    lp = LPLookup(wv)
    # real GloVe geometry: paris is closer to france than to banana
    def cos(a, b):
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert cos(lp.vector("Paris"), lp.vector("france")) > cos(lp.vector("paris"), lp.vector("banana"))


def test_glove_text_file_plain_and_gzip(tmp_path):
    text = "the 0.1 0.2 0.3\nnew york 1 2 3\nthe 9 9 9\n"
    (tmp_path / "g.txt").write_text(text, encoding="utf-8")
    with gzip.open(tmp_path / "g.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write(text)
    for name in ("g.txt", "g.txt.gz"):
        wv = load_glove(str(tmp_path / name))
        assert wv.dim == 3 and wv.words == ["the", "new york", "the"]
        assert np.allclose(wv.get("the"), [0.1, 0.2, 0.3])  # first occurrence wins
        assert np.allclose(wv.get("new york"), [1, 2, 3])


def test_glove_text_file_errors_name_the_line(tmp_path):
    (tmp_path / "bad.txt").write_text("a 1 2\nb 1 x\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_glove(str(tmp_path / "bad.txt"))
    (tmp_path / "short.txt").write_text("a 1 2\nb 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_glove(str(tmp_path / "short.txt"))
    with pytest.raises(InputError, match="not found"):
        load_glove(str(tmp_path / "missing.txt"))


def test_word_vectors_round_trip(tmp_path):
    wv = _chars()
    back = read_word_vectors(save_word_vectors(wv, tmp_path / "chars"))
    assert back.words == wv.words and np.array_equal(back.vectors, wv.vectors)
