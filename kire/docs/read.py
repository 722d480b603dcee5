"""The documents of a split and a dataset's relation ids, whatever form they come in.

Training, evaluation and the benchmarks name a split by a path: a folder of document tables written
by `kire docs prepare` (:mod:`kire.docs.model`) or a DocRED-format JSON file.
"""

from __future__ import annotations

from pathlib import Path

from kire.docs.model import Document


def read_relations(rel_info: str | Path) -> list[str]:
    """Relation ids of a rel_info.json object, in file order."""
    from kire.docs.prepare import read_rel_info

    return list(read_rel_info(rel_info))


def read_split(path: str | Path, relations: list[str] | None = None) -> list[Document]:
    """Documents of a split: a folder of the document tables (``kire.docs.model``) or a DocRED file."""
    from kire.docs.docred import read_docred
    from kire.docs.model import read_documents

    path = Path(path)
    if path.is_dir():
        return read_documents(path)
    return read_docred(path, relations)
