"""The internal document model every stage reads, and its Parquet tables.

Positions follow DocRED: a mention is ``[start, end)`` in token offsets *within its sentence*;
``doc_start``/``doc_end`` are the same span in the document's flattened token sequence.

Tables (one Parquet file each per dataset and split):

``docs``      doc:int32, title:string, sents:list<list<string>>, labeled:bool
``entities``  doc:int32, entity:int32, name:string, type:string, n_mentions:int32, kb_id:string?
``mentions``  doc:int32, entity:int32, mention:int32, sent_id:int32, start:int32, end:int32,
              doc_start:int32, doc_end:int32, name:string, type:string
``labels``    doc:int32, head:int32, tail:int32, relation:string, evidence:list<int32>

``doc`` is the document's index in its split; ``entity`` indexes the document's vertex set.
``kb_id`` is a gold KG link carried by the dataset (DWIE), null otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import pyarrow as pa

from kire.errors import InputError

TABLES = ("docs", "entities", "mentions", "labels")

SCHEMAS: dict[str, pa.Schema] = {
    "docs": pa.schema([
        ("doc", pa.int32()), ("title", pa.string()),
        ("sents", pa.list_(pa.list_(pa.string()))), ("labeled", pa.bool_()),
    ]),
    "entities": pa.schema([
        ("doc", pa.int32()), ("entity", pa.int32()), ("name", pa.string()), ("type", pa.string()),
        ("n_mentions", pa.int32()), ("kb_id", pa.string()),
    ]),
    "mentions": pa.schema([
        ("doc", pa.int32()), ("entity", pa.int32()), ("mention", pa.int32()),
        ("sent_id", pa.int32()), ("start", pa.int32()), ("end", pa.int32()),
        ("doc_start", pa.int32()), ("doc_end", pa.int32()),
        ("name", pa.string()), ("type", pa.string()),
    ]),
    "labels": pa.schema([
        ("doc", pa.int32()), ("head", pa.int32()), ("tail", pa.int32()),
        ("relation", pa.string()), ("evidence", pa.list_(pa.int32())),
    ]),
}


@dataclass
class Mention:
    """One mention: ``[start, end)`` token span inside sentence ``sent_id``."""

    sent_id: int
    start: int
    end: int
    name: str
    type: str


@dataclass
class Entity:
    """A document entity (DocRED's vertex): its mentions, a type and an optional gold KG link."""

    mentions: list[Mention]
    type: str
    kb_id: str | None = None

    @property
    def name(self) -> str:
        """The entity's display name: its first mention's surface form."""
        return self.mentions[0].name


@dataclass
class Label:
    """A relation instance between entity ``head`` and entity ``tail`` (indices in the vertex set)."""

    head: int
    tail: int
    relation: str
    evidence: list[int] = field(default_factory=list)


@dataclass
class Document:
    """A tokenized, sentence-split document with its entities and, if labeled, its relations."""

    title: str
    sents: list[list[str]]
    entities: list[Entity]
    labels: list[Label] | None = None  # None: the split carries no labels (e.g. DocRED test)
    # where the reader found it (not stored in the tables, not compared: the same document read
    # from two places is equal): the file, and the record index in a file of many documents
    # (DocRED), None for one document per file (DWIE)
    file: str | None = field(default=None, compare=False)
    record: int | None = field(default=None, compare=False)

    @property
    def sent_offsets(self) -> list[int]:
        """Token offset of each sentence's first token in the flattened document."""
        return [0, *accumulate(len(s) for s in self.sents)][:-1]

    @property
    def tokens(self) -> list[str]:
        """The flattened token sequence."""
        return [tok for sent in self.sents for tok in sent]

    def doc_span(self, mention: Mention) -> tuple[int, int]:
        """Return the mention's ``[start, end)`` in flattened document token offsets."""
        offset = self.sent_offsets[mention.sent_id]
        return offset + mention.start, offset + mention.end


def documents_to_tables(documents: list[Document]) -> dict[str, pa.Table]:
    """Return the four tables (see module docstring) for ``documents`` in order."""
    rows: dict[str, dict[str, list]] = {name: {f.name: [] for f in SCHEMAS[name]} for name in TABLES}

    def add(table: str, **values) -> None:
        for key, value in values.items():
            rows[table][key].append(value)

    for d, doc in enumerate(documents):
        add("docs", doc=d, title=doc.title, sents=doc.sents, labeled=doc.labels is not None)
        offsets = doc.sent_offsets
        for e, ent in enumerate(doc.entities):
            add("entities", doc=d, entity=e, name=ent.name, type=ent.type,
                n_mentions=len(ent.mentions), kb_id=ent.kb_id)
            for m, men in enumerate(ent.mentions):
                add("mentions", doc=d, entity=e, mention=m, sent_id=men.sent_id,
                    start=men.start, end=men.end, doc_start=offsets[men.sent_id] + men.start,
                    doc_end=offsets[men.sent_id] + men.end, name=men.name, type=men.type)
        for lab in doc.labels or ():
            add("labels", doc=d, head=lab.head, tail=lab.tail, relation=lab.relation,
                evidence=list(lab.evidence))
    return {name: pa.table(rows[name], schema=SCHEMAS[name]) for name in TABLES}


def documents_from_tables(tables: dict[str, pa.Table]) -> list[Document]:
    """Inverse of :func:`documents_to_tables`."""
    docs = [
        Document(title=r["title"], sents=r["sents"], entities=[],
                 labels=[] if r["labeled"] else None)
        for r in tables["docs"].to_pylist()
    ]
    entities: dict[tuple[int, int], Entity] = {}
    for r in tables["entities"].to_pylist():
        ent = Entity(mentions=[], type=r["type"], kb_id=r["kb_id"])
        docs[r["doc"]].entities.append(ent)
        entities[r["doc"], r["entity"]] = ent
    for r in tables["mentions"].to_pylist():
        entities[r["doc"], r["entity"]].mentions.append(
            Mention(r["sent_id"], r["start"], r["end"], r["name"], r["type"])
        )
    for r in tables["labels"].to_pylist():
        docs[r["doc"]].labels.append(Label(r["head"], r["tail"], r["relation"], r["evidence"]))
    return docs


def write_documents(documents: list[Document], out_dir: str | Path) -> Path:
    """Write ``out_dir/{docs,entities,mentions,labels}.parquet`` atomically; return ``out_dir``."""
    from kire.io import write_parquet_atomic

    out_dir = Path(out_dir)
    for name, table in documents_to_tables(documents).items():
        write_parquet_atomic(table, out_dir / f"{name}.parquet")
    return out_dir


def read_documents(in_dir: str | Path) -> list[Document]:
    """Read the four tables written by :func:`write_documents`.

    Raises InputError naming the folder and the missing tables when it is not a document-table
    folder (e.g. an empty one, or a typo'd path)."""
    import pyarrow.parquet as pq

    in_dir = Path(in_dir)
    missing = [f"{name}.parquet" for name in TABLES if not (in_dir / f"{name}.parquet").is_file()]
    if missing:
        raise InputError(in_dir, None, None, f"not a document-table folder (`kire docs prepare` writes one): "
                         f"{', '.join(missing)} missing")
    return documents_from_tables({name: pq.read_table(in_dir / f"{name}.parquet") for name in TABLES})
