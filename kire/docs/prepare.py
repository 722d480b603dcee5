"""One dataset's raw files to the document tables of its three splits, plus a prepare report.

Output layout (``out_dir`` is ``RESULTS/docs/<dataset>``)::

    out_dir/{train,dev,test}/{docs,entities,mentions,labels}.parquet   (schemas: kire.docs.model)
    out_dir/report.json

``report.json``: ``{dataset, format, on_error, splits: {split: {documents, entities, mentions,
labels, labeled}}, dev_from_train: {fraction, seed} | null, dropped: {...}, rejects: [{file, record,
field, problem}], overlap: {on_overlap, shared, dropped_from_train, shared_samples,
duplicate_titles}}`` (overlap: :func:`kire.docs.overlap.resolve_overlap`).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from pathlib import Path

from kire.docs.model import Document, write_documents
from kire.docs.validate import read_json_file
from kire.errors import InputError, KireError

SPLITS = ("train", "dev", "test")


@dataclass
class DatasetSource:
    """Where one dataset's raw files are (config ``datasets.<name>``)."""

    name: str
    format: str  # docred | dwie
    train: str
    test: str
    rel_info: str
    dev: str | None = None


# The no-relation class of rel2id files (DocRED's "Na", ATLOP's "Na", TACRED-style "no_relation").
NO_RELATION = ("Na", "NA", "no_relation")

REL_INFO_SHAPES = ('rel_info.json {"P17": "country", ...} (relation id: name) or '
                   'rel2id.json {"Na": 0, "P17": 1, ...} (relation id: integer class)')


def read_rel_info(path: str | Path) -> dict[str, str]:
    """The relation ids and names of a rel_info file, in file order.

    Two shapes are read: DocRED's ``rel_info.json`` ``{id: name}``, and a ``rel2id`` file
    ``{id: integer}`` (shipped with DocRED's metadata and DocRED-format conversions of DWIE), whose
    ids are their own names, ordered by their integers, with the no-relation class
    (:data:`NO_RELATION`) left out. InputError naming the file, the key and the value otherwise.
    """
    raw = read_json_file(path)
    if not isinstance(raw, dict) or not raw:
        raise InputError(str(path), None, None, f"expected a non-empty JSON object: {REL_INFO_SHAPES}")
    integer = {k: isinstance(v, int) and not isinstance(v, bool) for k, v in raw.items()}
    if all(integer.values()):
        return rel2id_relations(path, raw)
    if any(integer.values()):
        first = next(iter(raw))
        key = next(k for k in raw if integer[k] != integer[first])
        raise InputError(str(path), None, f"[{key!r}]",
                         f"value {raw[key]!r} mixes shapes (the first key {first!r} has {raw[first]!r}): "
                         f"expected {REL_INFO_SHAPES}")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise InputError(str(path), None, f"[{key!r}]",
                             f"value {value!r} is a {type(value).__name__}, not a name: expected {REL_INFO_SHAPES}")
    return {str(k): v for k, v in raw.items()}


def rel2id_relations(path: str | Path, raw: dict[str, int]) -> dict[str, str]:
    """``{id: id}`` of a rel2id object, ordered by class integer, the no-relation class left out."""
    seen: dict[int, str] = {}
    for key, value in raw.items():
        if value < 0:
            raise InputError(str(path), None, f"[{key!r}]", f"class id {value} is negative ({REL_INFO_SHAPES})")
        if value in seen:
            raise InputError(str(path), None, f"[{key!r}]",
                             f"class id {value} is also the id of {seen[value]!r} ({REL_INFO_SHAPES})")
        seen[value] = key
    relations = {k: k for k, _ in sorted(raw.items(), key=lambda kv: kv[1]) if k not in NO_RELATION}
    if not relations:
        raise InputError(str(path), None, None, f"only the no-relation class: expected {REL_INFO_SHAPES}")
    return relations


def split_dev(documents: list[Document], fraction: float, seed: int) -> tuple[list[Document], list[Document]]:
    """Return ``(train, dev)``: a seeded shuffle of ``documents`` cut so that dev gets ``fraction``.

    Train keeps ``floor(n * (1 - fraction))`` documents, dev the rest: DWIE's 681 usable training
    documents give the paper's 544 / 137. The shuffle orders documents by title first, so the split
    does not depend on file order. Both parts keep the input order.
    """
    if not 0 < fraction < 1:
        raise KireError(f"dev fraction must be in (0, 1), not {fraction}")
    order = sorted(range(len(documents)), key=lambda i: documents[i].title)
    random.Random(seed).shuffle(order)
    n_dev = len(documents) - int(len(documents) * (1 - fraction) + 1e-9)
    dev_ids = set(order[:n_dev])
    train = [d for i, d in enumerate(documents) if i not in dev_ids]
    dev = [d for i, d in enumerate(documents) if i in dev_ids]
    return train, dev


def read_split(source: DatasetSource, split: str, relations: set[str], on_error: str,
               dropped: dict) -> tuple[list[Document], list[dict]]:
    """Return ``(documents, rejects)`` of one raw split of ``source``."""
    path = getattr(source, split)
    if source.format == "docred":
        from kire.docs.docred import read_docred_checked

        return read_docred_checked(path, relations, on_error)
    if source.format == "dwie":
        from kire.docs.dwie import DwieStats, read_dwie_checked

        stats = DwieStats()
        docs, rejects = read_dwie_checked(path, split, relations, on_error, stats)
        for key, value in asdict(stats).items():
            dropped[f"{split}.{key}"] = value
        return docs, rejects
    raise KireError(f"dataset {source.name}: unknown format {source.format!r} (docred or dwie)")


def prepare_dataset(source: DatasetSource, out_dir: str | Path, on_error: str = "fail",
                    dev_fraction: float = 0.2, seed: int = 13, on_overlap: str = "warn") -> dict:
    """Read, validate and write the three splits of ``source``; return the report (also written).

    When ``source.dev`` is not given (DWIE), dev is split from train: ``dev_fraction`` of it, with
    ``seed`` (the paper's 80/20 split of DWIE's training set). Documents shared by two splits are
    warned about, refused or dropped from train by ``on_overlap`` (:mod:`kire.docs.overlap`),
    before anything is written.
    """
    from kire.docs.overlap import resolve_overlap

    out_dir = Path(out_dir)
    relations = set(read_rel_info(source.rel_info))
    rejects: list[dict] = []
    dropped: dict = {}
    splits: dict[str, list[Document]] = {}
    for split in ("train", "dev", "test"):
        if split == "dev" and not source.dev:
            continue
        docs, bad = read_split(source, split, relations, on_error, dropped)
        rejects.extend(bad)
        if not docs:
            raise KireError(f"dataset {source.name}: split {split} ({getattr(source, split)}) has no valid document")
        splits[split] = docs
    dev_from_train = None
    if not source.dev:
        splits["train"], splits["dev"] = split_dev(splits["train"], dev_fraction, seed)
        dev_from_train = {"fraction": dev_fraction, "seed": seed}
    overlap = resolve_overlap(splits, on_overlap)
    report = {
        "dataset": source.name, "format": source.format, "on_error": on_error,
        "splits": {split: split_counts(splits[split]) for split in SPLITS},
        "dev_from_train": dev_from_train, "dropped": dropped, "rejects": rejects, "overlap": overlap,
    }
    for split in SPLITS:
        write_documents(splits[split], out_dir / split)
    from kire.io import write_json_atomic

    write_json_atomic(out_dir / "report.json", report)
    return report


def split_counts(documents: list[Document]) -> dict:
    """Counts of one split for the report."""
    return {
        "documents": len(documents),
        "entities": sum(len(d.entities) for d in documents),
        "mentions": sum(len(e.mentions) for d in documents for e in d.entities),
        "labels": sum(len(d.labels or ()) for d in documents),
        "labeled": sum(d.labels is not None for d in documents),
    }
