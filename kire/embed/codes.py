"""Attribute codes: one AutoEncoder code per attribute triple, indexed by entity (input of eq. 8).

Folder written by :func:`write_attribute_codes` and read by :func:`read_attribute_codes`:

``codes.safetensors``  ``codes``   float32 [T, 2h]  the code q of every attribute triple;
                       ``offsets`` int64   [E+1]    entity i owns rows offsets[i]:offsets[i+1]
``entities.parquet``   ``id`` string, E rows sorted; row i <-> offsets[i]. An entity with no
                       attribute triple has an empty range.
``triples.parquet``    ``entity`` string, ``triple`` int32, ``attribute`` string, ``value``
                       string: row t says which triple row t of ``codes`` encodes
``meta.json``          {code_dim, entities, triples, encoder folder's settings}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kire.embed.lookup import LPLookup
from kire.embed.pretrain import distinct_sequences, length_batches
from kire.errors import InputError


def encode_sequences(encoder, lookup: LPLookup, sequences: list[list[str]],
                     batch_size: int = 512, progress: bool = False) -> np.ndarray:
    """Return the codes ``[T, 2h]`` float32 of ``sequences`` (token lists) by the frozen
    ``encoder``; each distinct sequence is encoded once; an empty sequence gets zeros."""
    import torch
    from tqdm import tqdm

    distinct = distinct_sequences(sequences)
    position = {s: i for i, s in enumerate(distinct)}
    lengths = np.array([len(s) for s in distinct], np.int64)
    out = np.zeros((len(distinct), encoder.code_dim), np.float32)
    batches = length_batches(lengths, batch_size)
    encoder.eval()
    with torch.no_grad():
        for b in tqdm(batches, desc="encode attributes", unit="batch", disable=not progress,
                      mininterval=5.0):
            x = torch.from_numpy(np.stack([lookup.matrix(list(distinct[i])) for i in b]))
            out[b] = encoder(x).numpy()
    codes = np.zeros((len(sequences), encoder.code_dim), np.float32)
    for t, seq in enumerate(sequences):
        if seq:
            codes[t] = out[position[tuple(seq)]]
    return codes


def entity_offsets(entity_ids: list[str], triple_entities: list[str], file: str = "sequences") -> np.ndarray:
    """Return offsets [E+1] int64 such that ``triple_entities[offsets[i]:offsets[i+1]]`` are the
    rows of ``entity_ids[i]``; ``triple_entities`` must be grouped in ``entity_ids`` order."""
    index = {e: i for i, e in enumerate(entity_ids)}
    counts = np.zeros(len(entity_ids), np.int64)
    last = -1
    for t, e in enumerate(triple_entities):
        i = index.get(e)
        if i is None:
            raise InputError(file, f"row {t}", "entity", f"entity {e!r} is not in the entity list")
        if i < last:
            raise InputError(file, f"row {t}", "entity", "rows are not grouped by sorted entity")
        last = i
        counts[i] += 1
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def write_attribute_codes(out_dir: str | Path, entity_ids: list[str], sequences_table,
                          codes: np.ndarray, meta: dict | None = None) -> Path:
    """Write the folder described in the module docstring atomically; return ``out_dir``.

    ``sequences_table``: the attribute_sequences table (kire.embed.attributes), row t encoded
    as ``codes[t]``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from safetensors.numpy import save_file

    from kire.io import atomic_dir

    if codes.shape[0] != sequences_table.num_rows:
        raise ValueError(f"{codes.shape[0]} codes for {sequences_table.num_rows} triples")
    offsets = entity_offsets(entity_ids, sequences_table.column("entity").to_pylist())
    with atomic_dir(out_dir) as tmp:
        save_file({"codes": np.ascontiguousarray(codes, np.float32), "offsets": offsets},
                  str(tmp / "codes.safetensors"))
        pq.write_table(pa.table({"id": pa.array(entity_ids, pa.string())}),
                       tmp / "entities.parquet", compression="zstd")
        pq.write_table(sequences_table.select(["entity", "triple", "attribute", "value"]),
                       tmp / "triples.parquet", compression="zstd")
        info = {"code_dim": int(codes.shape[1]), "entities": len(entity_ids),
                "triples": int(codes.shape[0]), **(meta or {})}
        (tmp / "meta.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return Path(out_dir)


@dataclass
class AttributeCodes:
    """The exported codes: entity ``entity_ids[i]`` has codes ``codes[offsets[i]:offsets[i+1]]``
    ([n_i, 2h] float32, its attribute triples in order)."""

    entity_ids: list[str]
    offsets: np.ndarray  # [E+1] int64
    codes: np.ndarray    # [T, 2h] float32
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {e: i for i, e in enumerate(self.entity_ids)}

    @property
    def code_dim(self) -> int:
        """2h, the size of one code."""
        return int(self.codes.shape[1])

    def codes_of(self, entity_id: str) -> np.ndarray:
        """Return the ``[n, 2h]`` codes of ``entity_id`` (``[0, 2h]`` if it has none or is not
        in the export)."""
        i = self.index.get(entity_id)
        if i is None:
            return self.codes[:0]
        return self.codes[self.offsets[i]:self.offsets[i + 1]]


def read_attribute_codes(in_dir: str | Path) -> AttributeCodes:
    """Read a folder written by :func:`write_attribute_codes`."""
    import pyarrow.parquet as pq
    from safetensors.numpy import load_file

    in_dir = Path(in_dir)
    for name in ("codes.safetensors", "entities.parquet"):
        if not (in_dir / name).is_file():
            raise InputError(str(in_dir / name), None, None, "file not found")
    tensors = load_file(str(in_dir / "codes.safetensors"))
    ids = pq.read_table(in_dir / "entities.parquet", columns=["id"]).column(0).to_pylist()
    codes, offsets = tensors["codes"], tensors["offsets"]
    if offsets.shape != (len(ids) + 1,) or int(offsets[-1]) != codes.shape[0]:
        raise InputError(str(in_dir / "codes.safetensors"), None, "offsets",
                         f"{offsets.shape[0]} offsets ending at {int(offsets[-1])} do not fit "
                         f"{len(ids)} entities and {codes.shape[0]} codes")
    return AttributeCodes(entity_ids=ids, offsets=offsets, codes=codes)
