"""Documents that appear twice: in two splits of a dataset, or twice under one title in a split.

DocRED's own releases once shared articles between splits; pooled releases repeat titles. Two
documents are *the same article* when their titles are equal or their texts are (the token
sequence joined by single spaces, so tokenization whitespace does not matter).

- Across splits (train/dev, train/test, dev/test): :func:`shared_documents` finds every pair;
  ``docs.on_overlap`` decides (:func:`resolve_overlap`): ``warn`` (keep, warn, count),
  ``fail`` (KireError naming the first pairs) or ``drop_from_train`` (train loses its documents
  that are also in dev or test; a dev/test pair can only be warned about).
- Inside one split: :func:`title_clashes` lists two *different* documents sharing a title.
  Submissions and the scorer key documents by title, so ``kire eval`` and ``kire train`` refuse
  such a split (kire.eval's rule); `kire docs prepare` warns early with the file, the title and
  both record indices.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from kire.docs.model import Document
from kire.errors import KireError

log = logging.getLogger(__name__)

ON_OVERLAP = ("warn", "fail", "drop_from_train")
SPLIT_PAIRS = (("train", "dev"), ("train", "test"), ("dev", "test"))
SAMPLES = 20


@dataclass(frozen=True)
class SharedDocument:
    """Document ``index_a`` of split ``split_a`` and ``index_b`` of ``split_b`` are one article;
    ``kind`` says how they matched: ``title``, ``text`` or ``title+text``."""

    split_a: str
    index_a: int
    split_b: str
    index_b: int
    kind: str


def text_key(doc: Document) -> str:
    """A digest of the document's text (tokens joined by one space): equal texts, equal keys."""
    return hashlib.blake2b(" ".join(doc.tokens).encode("utf-8"), digest_size=16).hexdigest()


def where(doc: Document, index: int) -> str:
    """``FILE record N`` (or ``FILE``) of a document read from a file, else ``document N``."""
    if doc.file is None:
        return f"document {index}"
    return doc.file if doc.record is None else f"{doc.file} record {doc.record}"


def shared_documents(splits: dict[str, list[Document]]) -> list[SharedDocument]:
    """Every pair of documents in two different splits with the same title or the same text,
    ordered by split pair (:data:`SPLIT_PAIRS`), then by index in the first split."""
    keys = {name: [(d.title, text_key(d)) for d in docs] for name, docs in splits.items()}
    shared = []
    for a, b in SPLIT_PAIRS:
        if a not in keys or b not in keys:
            continue
        by_title: dict[str, list[int]] = {}
        by_text: dict[str, list[int]] = {}
        for j, (title, text) in enumerate(keys[b]):
            by_title.setdefault(title, []).append(j)
            by_text.setdefault(text, []).append(j)
        for i, (title, text) in enumerate(keys[a]):
            same_title, same_text = set(by_title.get(title, ())), set(by_text.get(text, ()))
            for j in sorted(same_title | same_text):
                kind = "title+text" if j in same_title and j in same_text else "title" if j in same_title else "text"
                shared.append(SharedDocument(a, i, b, j, kind))
    return shared


def title_clashes(documents: list[Document]) -> list[tuple[int, int]]:
    """``(first, later)`` document indices of every later document whose title an earlier
    document of the same split already has."""
    first: dict[str, int] = {}
    clashes = []
    for i, doc in enumerate(documents):
        if doc.title in first:
            clashes.append((first[doc.title], i))
        else:
            first[doc.title] = i
    return clashes


def clash_message(documents: list[Document], split: str, first: int, later: int) -> str:
    """One line naming the file(s), the title and both record indices of a title clash."""
    a, b = documents[first], documents[later]
    same = "the same text" if text_key(a) == text_key(b) else "different texts"
    return (f"{split}: {where(a, first)} and {where(b, later)} share the title {a.title!r} ({same}); "
            "kire train and kire eval key documents by title and refuse this split: rename or remove one")


def shared_message(splits: dict[str, list[Document]], pair: SharedDocument) -> str:
    """One line naming both documents of a cross-split pair."""
    a, b = splits[pair.split_a][pair.index_a], splits[pair.split_b][pair.index_b]
    return (f"{pair.split_a} {where(a, pair.index_a)} ({a.title!r}) and {pair.split_b} "
            f"{where(b, pair.index_b)} ({b.title!r}) are one article (same {pair.kind})")


def resolve_overlap(splits: dict[str, list[Document]], on_overlap: str) -> dict:
    """Find the documents shared across ``splits`` and the title clashes inside each, act on them
    by ``on_overlap`` and return the report section; ``splits["train"]`` is replaced when
    documents are dropped from it.

    Report: ``{on_overlap, shared: {"train-dev": n, "train-test": n, "dev-test": n},
    dropped_from_train: n, shared_samples: [{split_a, record_a, title_a, split_b, record_b,
    title_b, kind}], duplicate_titles: [{split, title, file, records: [i, j], same_text}]}``
    (samples: the first :data:`SAMPLES`). Raises KireError for ``fail`` when a document is shared.
    """
    if on_overlap not in ON_OVERLAP:
        raise KireError(f"docs.on_overlap must be one of {', '.join(ON_OVERLAP)}, not {on_overlap!r}")
    duplicates = []
    for name, docs in splits.items():
        for first, later in title_clashes(docs):
            log.warning("%s", clash_message(docs, name, first, later))
            a, b = docs[first], docs[later]
            duplicates.append({
                "split": name, "title": a.title, "file": a.file if a.file == b.file else [a.file, b.file],
                "records": [_record(docs, first), _record(docs, later)], "same_text": text_key(a) == text_key(b)})
    shared = shared_documents(splits)
    counts = {f"{a}-{b}": sum(p.split_a == a and p.split_b == b for p in shared) for a, b in SPLIT_PAIRS}
    samples = [{"split_a": p.split_a, "record_a": _record(splits[p.split_a], p.index_a),
                "title_a": splits[p.split_a][p.index_a].title, "split_b": p.split_b,
                "record_b": _record(splits[p.split_b], p.index_b), "title_b": splits[p.split_b][p.index_b].title,
                "kind": p.kind} for p in shared[:SAMPLES]]
    if shared:
        lines = [shared_message(splits, p) for p in shared[:5]]
        more = f" (and {len(shared) - 5} more)" if len(shared) > 5 else ""
        if on_overlap == "fail":
            raise KireError(f"{len(shared)} document(s) shared across splits ({_counts_text(counts)}), "
                            f"docs.on_overlap is fail: " + "; ".join(lines) + more)
        log.warning("%d document(s) shared across splits (%s): %s%s", len(shared), _counts_text(counts),
                    "; ".join(lines), more)
    dropped = 0
    if on_overlap == "drop_from_train" and "train" in splits:
        drop = {p.index_a for p in shared if p.split_a == "train"}
        splits["train"] = [d for i, d in enumerate(splits["train"]) if i not in drop]
        dropped = len(drop)
        if dropped:
            log.warning("dropped %d training document(s) shared with dev or test (docs.on_overlap: drop_from_train)",
                        dropped)
        if counts["dev-test"]:
            log.warning("%d dev/test pair(s) stay: drop_from_train only removes training documents", counts["dev-test"])
        if not splits["train"]:
            raise KireError("docs.on_overlap drop_from_train left no training document")
    return {"on_overlap": on_overlap, "shared": counts, "dropped_from_train": dropped,
            "shared_samples": samples, "duplicate_titles": duplicates}


def _record(docs: list[Document], index: int) -> int | str:
    doc = docs[index]
    return doc.record if doc.record is not None else (doc.file or index)


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{pair}: {n}" for pair, n in counts.items() if n)
