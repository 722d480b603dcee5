"""The ``coref`` table: one row per coreference triple (ms, mt, p) of a document.

Schema (Parquet, one file per dataset and split)::

    doc:int32         the document's index in its split (as in the docs tables)
    ms_start:int32    first mention's [start, end) in document-level token offsets
    ms_end:int32      (the document's flattened tokens, like Mention doc_start/doc_end)
    mt_start:int32    second mention's [start, end), same offsets
    mt_end:int32
    source:string     annotations | kg_aliases | the resolver backend's name (salience, neuralcoref)
    p:float32         teacher probability that the two mentions corefer, in (0, 1]

Each unordered pair is stored once per document, ms before mt (ordered by (start, end)); when two
sources propose the same pair the higher p wins. Readers that need both directions symmetrize.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from kire.errors import InputError

COREF_SCHEMA = pa.schema([
    ("doc", pa.int32()),
    ("ms_start", pa.int32()), ("ms_end", pa.int32()),
    ("mt_start", pa.int32()), ("mt_end", pa.int32()),
    ("source", pa.string()), ("p", pa.float32()),
])

Span = tuple[int, int]


@dataclass(frozen=True)
class Triple:
    """A coreference triple of one document: spans in document token offsets, its source and p."""

    ms: Span
    mt: Span
    source: str
    p: float

    def ordered(self) -> "Triple":
        """The same triple with ms <= mt."""
        return self if self.ms <= self.mt else Triple(self.mt, self.ms, self.source, self.p)


def merge_triples(triples: list[Triple]) -> list[Triple]:
    """Return one triple per unordered span pair (the highest p; ties keep the first), self-pairs dropped."""
    best: dict[tuple[Span, Span], Triple] = {}
    for tri in triples:
        tri = tri.ordered()
        if tri.ms == tri.mt:
            continue
        key = (tri.ms, tri.mt)
        if key not in best or tri.p > best[key].p:
            best[key] = tri
    return list(best.values())


def cap_triples(triples: list[Triple], max_mentions: int, max_pairs: int) -> list[Triple]:
    """Keep at most ``max_pairs`` triples over at most ``max_mentions`` distinct spans.

    Triples are taken by decreasing p (then position, for determinism); a triple that would add a
    span beyond ``max_mentions`` is skipped. Returns the kept triples ordered by (ms, mt).
    """
    kept: list[Triple] = []
    spans: set[Span] = set()
    for tri in sorted(triples, key=lambda t: (-t.p, t.ms, t.mt, t.source)):
        if len(kept) >= max_pairs:
            break
        new = {tri.ms, tri.mt} - spans
        if len(spans) + len(new) > max_mentions:
            continue
        spans |= new
        kept.append(tri)
    return sorted(kept, key=lambda t: (t.ms, t.mt))


def triples_to_table(per_doc: dict[int, list[Triple]]) -> pa.Table:
    """Return the coref table (see module docstring) of ``{doc index: triples}``, rows by doc."""
    cols: dict[str, list] = {f.name: [] for f in COREF_SCHEMA}
    for doc in sorted(per_doc):
        for tri in per_doc[doc]:
            cols["doc"].append(doc)
            cols["ms_start"].append(tri.ms[0])
            cols["ms_end"].append(tri.ms[1])
            cols["mt_start"].append(tri.mt[0])
            cols["mt_end"].append(tri.mt[1])
            cols["source"].append(tri.source)
            cols["p"].append(tri.p)
    return pa.table(cols, schema=COREF_SCHEMA)


def read_coref(path: str | Path) -> pa.Table:
    """Read a coref Parquet file and check its schema (see module docstring).

    Raises :class:`InputError` when the file is missing or a column is absent or of another type.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise InputError(str(path), None, None, "file not found")
    table = pq.read_table(path)
    for fld in COREF_SCHEMA:
        if fld.name not in table.schema.names:
            raise InputError(str(path), None, fld.name, "column missing")
        if table.schema.field(fld.name).type != fld.type:
            raise InputError(str(path), None, fld.name,
                             f"type {table.schema.field(fld.name).type}, expected {fld.type}")
    return table.select(COREF_SCHEMA.names)
