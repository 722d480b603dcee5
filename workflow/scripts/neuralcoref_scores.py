"""Run NeuralCoref 4.0 over a documents folder and write its mention-pair scores as JSON lines.

The command of rule neuralcoref_scores (rules/coref.smk). Runs INSIDE the conda environment
workflow/envs/neuralcoref.yaml (Python 3.7, spaCy 2.1, neuralcoref 4.0, pyarrow), not in kire's own
environment, so it imports nothing from kire and keeps to Python 3.7 syntax. It is a plain command
rather than a Snakemake ``script:`` because a script's preamble imports Snakemake's own modules,
which need Python >= 3.11. Usage::

    python workflow/scripts/neuralcoref_scores.py RESULTS/docs/DATASET/SPLIT OUT.jsonl

Reads ``docs.parquet`` (columns doc, sents), parses each document in its own tokenization and
writes ``{"doc", "mentions", "scores"}`` per line (format: kire/coref/neuralcoref.py).
NeuralCoref downloads its model on first use (needs internet once).
"""

import json
import os
import sys


def scores_to_record(doc_index, coref_scores):
    """One output record from NeuralCoref's ``doc._.coref_scores`` ({Span: {Span: score}})."""
    spans = {}
    for mention, antecedents in coref_scores.items():
        spans.setdefault((mention.start, mention.end), len(spans))
        for ant in antecedents:
            spans.setdefault((ant.start, ant.end), len(spans))
    scores = []
    for mention, antecedents in coref_scores.items():
        i = spans[(mention.start, mention.end)]
        for ant, score in antecedents.items():
            scores.append([i, spans[(ant.start, ant.end)], float(score)])
    mentions = [list(span) for span, _ in sorted(spans.items(), key=lambda kv: kv[1])]
    return {"doc": int(doc_index), "mentions": mentions, "scores": scores}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    docs_dir, out_path = argv[1], argv[2]
    import neuralcoref
    import pyarrow.parquet as pq
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.load("en_core_web_sm")
    coref = neuralcoref.NeuralCoref(nlp.vocab)
    table = pq.read_table(os.path.join(docs_dir, "docs.parquet"), columns=["doc", "sents"])
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        for row in table.to_pylist():
            words = [tok for sent in row["sents"] for tok in sent]
            doc = Doc(nlp.vocab, words=words)
            for _, proc in nlp.pipeline:
                doc = proc(doc)
            doc = coref(doc)
            record = scores_to_record(row["doc"], doc._.coref_scores or {})
            out.write(json.dumps(record) + "\n")
    os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
