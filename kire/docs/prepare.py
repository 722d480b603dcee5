"""One dataset's raw files to the document tables of its three splits, plus a prepare report.

Output layout (``out_dir`` is ``RESULTS/docs/<dataset>``)::

    out_dir/{train,dev,test}/{docs,entities,mentions,labels}.parquet   (schemas: kire.docs.model)
    out_dir/report.json

``report.json``: ``{dataset, format, on_error, splits: {split: {documents, entities, mentions,
labels, labeled}}, dev_from_train: {fraction, seed} | null, dropped: {...}, rejects: [{file, record,
field, problem}]}``.
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


def read_rel_info(path: str | Path) -> dict[str, str]:
    """The relation ids and names of rel_info.json (InputError if malformed)."""
    raw = read_json_file(path)
    if not isinstance(raw, dict) or not raw or not all(isinstance(v, str) for v in raw.values()):
        raise InputError(str(path), None, None, "expected a non-empty JSON object {relation id: name}")
    return {str(k): v for k, v in raw.items()}


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
                    dev_fraction: float = 0.2, seed: int = 13) -> dict:
    """Read, validate and write the three splits of ``source``; return the report (also written).

    When ``source.dev`` is not given (DWIE), dev is split from train: ``dev_fraction`` of it, with
    ``seed`` (the paper's 80/20 split of DWIE's training set).
    """
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
    report = {
        "dataset": source.name, "format": source.format, "on_error": on_error,
        "splits": {split: split_counts(splits[split]) for split in SPLITS},
        "dev_from_train": dev_from_train, "dropped": dropped, "rejects": rejects,
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
