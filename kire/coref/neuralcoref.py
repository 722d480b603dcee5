"""The ``neuralcoref`` backend: NeuralCoref 4.0's mention-pair scores -> coreference triples.

NeuralCoref 4.0 needs Python <= 3.8, spaCy 2 and downloads its weights at first use, so it runs in
its own conda environment (workflow/envs/neuralcoref.yaml) through
``workflow/scripts/neuralcoref_scores.py``, which writes one JSON line per document::

    {"doc": 0, "mentions": [[start, end], ...], "scores": [[i, j, score], ...]}

``mentions`` are token spans in the document's own tokens; ``[i, j, score]`` is NeuralCoref's raw
score that mention j is the antecedent of mention i (``doc._.coref_scores``; j == i is the score of
"no antecedent"). As in the original KIRE code, each mention keeps its top-k antecedents with
p = sigmoid(score).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterator

from kire.coref.table import Triple
from kire.errors import InputError, KireError

SOURCE = "neuralcoref"
INSTALL_HINT = (
    "NeuralCoref 4.0 needs Python <= 3.8 and spaCy 2 and downloads its model at first use: run "
    "the coref rule with `snakemake --use-conda` (environment workflow/envs/neuralcoref.yaml, "
    "needs conda and internet), or create that environment and run "
    "`python workflow/scripts/neuralcoref_scores.py DOCS_DIR OUT.jsonl` in it, then pass "
    "`--neuralcoref-scores OUT.jsonl` to `kire coref build`"
)


def read_scores(path: str | Path) -> Iterator[dict]:
    """Yield the runner's records (module docstring), validated; InputError names line and field."""
    path = Path(path)
    if not path.exists():
        raise KireError(f"NeuralCoref scores {path} not found. {INSTALL_HINT}")
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                doc = int(rec["doc"])
                mentions = [(int(s), int(e)) for s, e in rec["mentions"]]
                scores = [(int(i), int(j), float(x)) for i, j, x in rec["scores"]]
            except (ValueError, KeyError, TypeError) as err:
                raise InputError(str(path), f"line {n}", None,
                                 f"expected doc, mentions [[start, end]], scores [[i, j, score]] ({err})") from None
            for i, j, _ in scores:
                if not (0 <= i < len(mentions) and 0 <= j < len(mentions)):
                    raise InputError(str(path), f"line {n} (doc {doc})", "scores",
                                     f"mention index {max(i, j)} out of range (0..{len(mentions) - 1})")
            yield {"doc": doc, "mentions": mentions, "scores": scores}


def neuralcoref_triples(record: dict, top_k: int = 8) -> list[Triple]:
    """Triples of one document's record: each mention's ``top_k`` best-scored antecedents,
    p = sigmoid(score)."""
    mentions = [(int(s), int(e)) for s, e in record["mentions"]]
    by_mention: dict[int, list[tuple[float, int]]] = {}
    for i, j, score in record["scores"]:
        if i != j:
            by_mention.setdefault(i, []).append((score, j))
    triples = []
    for i, cands in sorted(by_mention.items()):
        for score, j in sorted(cands, key=lambda c: (-c[0], c[1]))[:top_k]:
            triples.append(Triple(mentions[i], mentions[j], SOURCE, 1.0 / (1.0 + math.exp(-score))))
    return triples
