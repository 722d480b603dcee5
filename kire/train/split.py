"""A fixed, documented train/dev split of one DocRED-format file (used for Re-DocRED's 500 docs).

Rule: order the documents by the SHA-1 hex digest of their UTF-8 title (ties, i.e. equal titles,
keep file order); the first ``n_train`` are train, the next ``n_dev`` dev. The rule depends only
on the titles, so it is the same on every machine and for every file order.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from kire.docs.validate import read_json_file
from kire.errors import InputError
from kire.io import atomic_path


def title_order(titles: list[str]) -> list[int]:
    """Indices of ``titles`` sorted by SHA-1 of the title (stable)."""
    return sorted(range(len(titles)), key=lambda i: hashlib.sha1(titles[i].encode("utf-8")).hexdigest())


def split_docred_file(source: str | Path, train_out: str | Path, dev_out: str | Path,
                      n_train: int, n_dev: int) -> dict[str, int]:
    """Write the two parts (DocRED JSON, records unchanged); return their sizes."""
    records = read_json_file(source)
    if not isinstance(records, list):
        raise InputError(str(source), None, None, "expected a JSON list of documents")
    titles = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or not isinstance(rec.get("title"), str):
            raise InputError(str(source), f"document {i}", "title", "missing or not a string")
        titles.append(rec["title"])
    if n_train < 1 or n_dev < 1 or n_train + n_dev > len(records):
        raise InputError(str(source), None, None,
                         f"cannot split {len(records)} documents into {n_train} train + {n_dev} dev")
    order = title_order(titles)
    parts = {"train": order[:n_train], "dev": order[n_train:n_train + n_dev]}
    for name, target in (("train", train_out), ("dev", dev_out)):
        with atomic_path(target) as tmp:
            tmp.write_bytes(orjson.dumps([records[i] for i in parts[name]]))
    return {name: len(idx) for name, idx in parts.items()}
