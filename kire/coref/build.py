"""Coreference triples of one dataset split from every enabled source, merged and capped.

Options (config key ``coref``)::

    sources:
      annotations: {enabled, weight}                       p = 1 * weight
      kg_aliases:  {enabled, weight, prior, languages}     p = prior * weight
      resolver:    {enabled, weight, backend, top_k, min_p} p = the backend's p * weight
    max_mentions, max_pairs                                per-document caps
    batch_size                                             spaCy batch size

A weight scales a source's p (the result is clipped to 1); a pair proposed by several sources keeps
its highest p. Then each document keeps its ``max_pairs`` most probable pairs over at most
``max_mentions`` spans (the original: 250 and 3,200 for DocRED).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kire.coref.table import Triple, cap_triples, merge_triples, triples_to_table
from kire.docs.model import Document
from kire.errors import KireError

log = logging.getLogger(__name__)

DEFAULT_OPTIONS = {
    "sources": {
        "annotations": {"enabled": True, "weight": 1.0},
        "kg_aliases": {"enabled": True, "weight": 1.0, "prior": 0.9, "languages": ["en"]},
        "resolver": {"enabled": True, "weight": 1.0, "backend": "salience", "top_k": 8, "min_p": 0.05},
    },
    "max_mentions": 250,
    "max_pairs": 3200,
    "batch_size": 32,
}


@dataclass
class CorefOptions:
    """The ``coref`` config section (module docstring), defaults filled in."""

    sources: dict = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_OPTIONS["sources"].items()})
    max_mentions: int = 250
    max_pairs: int = 3200
    batch_size: int = 32

    @classmethod
    def from_dict(cls, obj: dict) -> "CorefOptions":
        unknown = set(obj) - set(DEFAULT_OPTIONS)
        if unknown:
            raise KireError(f"coref options: unknown key(s) {sorted(unknown)}")
        opts = cls()
        for name, values in (obj.get("sources") or {}).items():
            if name not in opts.sources:
                raise KireError(f"coref options: unknown source {name!r} "
                                f"(known: {', '.join(opts.sources)})")
            extra = set(values) - set(opts.sources[name])
            if extra:
                raise KireError(f"coref options: source {name}: unknown key(s) {sorted(extra)}")
            opts.sources[name].update(values)
        for key in ("max_mentions", "max_pairs", "batch_size"):
            if key in obj:
                setattr(opts, key, int(obj[key]))
        return opts

    def enabled(self, source: str) -> bool:
        return bool(self.sources[source]["enabled"])


def weighted(triples: list[Triple], weight: float) -> list[Triple]:
    """The triples with p scaled by ``weight`` (clipped to 1)."""
    if weight == 1.0:
        return triples
    return [Triple(t.ms, t.mt, t.source, min(1.0, t.p * weight)) for t in triples]


def build_coref(documents: list[Document], opts: CorefOptions, *, split: str | None = None,
                links_path=None, kg_dir=None, neuralcoref_scores=None, model_path=None,
                workers: int = 1, progress: bool = True):
    """Return (coref table, summary dict) for ``documents`` (one split) under ``opts``.

    ``links_path``/``kg_dir`` are needed by kg_aliases, ``neuralcoref_scores`` by the neuralcoref
    backend; a missing one raises KireError saying which rule produces it. ``workers``: spaCy
    parsing processes of the salience resolver (same triples for any number); ``progress``: count
    the resolver's documents on stderr (kire.progress).
    """
    per_doc: dict[int, list[Triple]] = {d: [] for d in range(len(documents))}
    counts: dict[str, int] = {}

    def add(source: str, found: dict[int, list[Triple]], weight: float) -> None:
        for d, triples in found.items():
            per_doc[d].extend(weighted(triples, weight))
            counts[source] = counts.get(source, 0) + len(triples)

    if opts.enabled("annotations"):
        from kire.coref.annotations import annotation_triples

        add("annotations", {d: annotation_triples(doc) for d, doc in enumerate(documents)},
            float(opts.sources["annotations"]["weight"]))
    if opts.enabled("kg_aliases"):
        from kire.coref.kg_aliases import alias_triples, read_aliases, read_doc_links

        if links_path is None or kg_dir is None or split is None:
            raise KireError("the kg_aliases source needs --links, --kg and --split "
                            "(outputs of the link_entities and extract_kg rules)")
        src = opts.sources["kg_aliases"]
        links = read_doc_links(links_path, split)
        aliases = read_aliases(kg_dir, {q for ents in links.values() for q in ents.values()},
                               list(src["languages"]))
        add("kg_aliases", {d: alias_triples(documents[d], ents, aliases, float(src["prior"]))
                           for d, ents in links.items() if d < len(documents)}, float(src["weight"]))
    if opts.enabled("resolver"):
        from kire.coref.backends import make_backend

        src = opts.sources["resolver"]
        backend = make_backend(src["backend"], top_k=int(src["top_k"]), min_p=float(src["min_p"]),
                               batch_size=opts.batch_size, model_path=model_path,
                               neuralcoref_scores=neuralcoref_scores, workers=workers,
                               progress=(f"coref {split}" if split else "coref") if progress else None)
        add(backend.name, backend.document_triples(documents), float(src["weight"]))
    kept = {d: cap_triples(merge_triples(t), opts.max_mentions, opts.max_pairs) for d, t in per_doc.items()}
    table = triples_to_table(kept)
    by_source: dict[str, int] = {}
    for s in table.column("source").to_pylist():
        by_source[s] = by_source.get(s, 0) + 1
    summary = {"documents": len(documents), "triples": table.num_rows, "proposed": counts,
               "kept_by_source": by_source, "max_mentions": opts.max_mentions,
               "max_pairs": opts.max_pairs}
    return table, summary
