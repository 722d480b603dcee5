"""A word-vector table: the shared representation of GloVe and character skip-gram vectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kire.errors import InputError


@dataclass
class WordVectors:
    """Vectors of a vocabulary.

    ``words[i]`` has vector ``vectors[i]``; ``index`` maps a word to its row. ``vectors`` is
    ``[V, d]`` float32. When a word occurs twice in the source, its first vector wins.
    """

    words: list[str]
    vectors: np.ndarray
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.vectors = np.asarray(self.vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.words):
            raise ValueError(
                f"vectors must be [{len(self.words)}, d], got {list(self.vectors.shape)}"
            )
        if not self.index:
            index: dict[str, int] = {}
            for i, word in enumerate(self.words):
                index.setdefault(word, i)
            self.index = index

    @property
    def dim(self) -> int:
        """The vector dimension d."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def get(self, word: str) -> np.ndarray | None:
        """Return the ``[d]`` vector of ``word``, or None when it has none."""
        i = self.index.get(word)
        return None if i is None else self.vectors[i]


def save_word_vectors(wv: WordVectors, out_dir: str | Path) -> Path:
    """Write ``out_dir/vectors.npy`` ([V, d] float32) and ``out_dir/words.parquet`` (column
    ``word``, row i = row i of the matrix) atomically; return ``out_dir``."""
    import pyarrow as pa

    from kire.io import atomic_dir

    out_dir = Path(out_dir)
    with atomic_dir(out_dir) as tmp:
        np.save(tmp / "vectors.npy", wv.vectors, allow_pickle=False)
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"word": pa.array(wv.words, pa.string())}),
                       tmp / "words.parquet", compression="zstd")
    return out_dir


def read_word_vectors(in_dir: str | Path) -> WordVectors:
    """Inverse of :func:`save_word_vectors`."""
    import pyarrow.parquet as pq

    in_dir = Path(in_dir)
    for name in ("vectors.npy", "words.parquet"):
        if not (in_dir / name).is_file():
            raise InputError(str(in_dir / name), None, None, "file not found")
    vectors = np.load(in_dir / "vectors.npy", allow_pickle=False)
    words = pq.read_table(in_dir / "words.parquet").column("word").to_pylist()
    if len(words) != vectors.shape[0]:
        raise InputError(str(in_dir), None, None,
                         f"{len(words)} words but {vectors.shape[0]} vectors")
    return WordVectors(words=words, vectors=vectors)
