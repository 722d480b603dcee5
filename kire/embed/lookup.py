"""LP(w), eq. 6: a token's GloVe vector, else the average of its characters' skip-gram vectors."""

from __future__ import annotations

import numpy as np

from kire.embed.vectors import WordVectors


class LPLookup:
    """The token lookup LP of eq. 6.

    ``word_vectors`` is GloVe (``WordEmb``); ``char_vectors``, when given, holds one vector per
    character (``CharEmb`` averages them). A word is looked up as is, then lowercased (GloVe 6B is
    lowercased); a character likewise. A token with no word vector and no known character maps to
    zeros. Both tables must have the same dimension d.
    """

    def __init__(self, word_vectors: WordVectors, char_vectors: WordVectors | None = None):
        if char_vectors is not None and char_vectors.dim != word_vectors.dim:
            raise ValueError(
                f"character vectors are {char_vectors.dim}-d but word vectors are "
                f"{word_vectors.dim}-d; train the characters with the GloVe dimension"
            )
        self.word_vectors = word_vectors
        self.char_vectors = char_vectors
        self._cache: dict[str, np.ndarray] = {}

    @property
    def dim(self) -> int:
        """The embedding dimension d."""
        return self.word_vectors.dim

    def has_word_vector(self, word: str) -> bool:
        """True when ``word`` (or its lowercased form) has a GloVe vector."""
        return word in self.word_vectors or word.lower() in self.word_vectors

    def word_emb(self, word: str) -> np.ndarray | None:
        """WordEmb(w): the ``[d]`` GloVe vector of ``word`` or of its lowercased form, or None."""
        vec = self.word_vectors.get(word)
        return vec if vec is not None else self.word_vectors.get(word.lower())

    def char_emb(self, word: str) -> np.ndarray | None:
        """CharEmb(w): the ``[d]`` average of the vectors of ``word``'s known characters, or None
        when no character is known (or there are no character vectors)."""
        if self.char_vectors is None:
            return None
        rows = []
        for ch in word:
            vec = self.char_vectors.get(ch)
            if vec is None:
                vec = self.char_vectors.get(ch.lower())
            if vec is not None:
                rows.append(vec)
        return np.mean(rows, axis=0, dtype=np.float32) if rows else None

    def source(self, word: str) -> str:
        """Which branch of eq. 6 gives LP(``word``): "word", "char" or "zero"."""
        if self.word_emb(word) is not None:
            return "word"
        return "char" if self.char_emb(word) is not None else "zero"

    def vector(self, word: str) -> np.ndarray:
        """LP(w): the ``[d]`` float32 vector of ``word`` (eq. 6); zeros if nothing is known."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self.word_emb(word)
            if cached is None:
                cached = self.char_emb(word)
            if cached is None:
                cached = np.zeros(self.dim, dtype=np.float32)
            self._cache[word] = cached
        return cached.copy()  # callers may write into it; the GloVe table must stay intact

    def matrix(self, words: list[str]) -> np.ndarray:
        """``[n, d]`` float32: LP of each of ``words`` in order."""
        if not words:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(words), self.dim), dtype=np.float32)
        for i, w in enumerate(words):
            out[i] = self.vector(w)
        return out
